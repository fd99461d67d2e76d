"""Plain output of `hpa static` (hpa.static/1): a rich table or JSON (`hpa policy` has its own, policy_table.py).

JSON goes to stdout or, atomically (0600), to `output`; a table written to a file is rendered without colour.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..fsutil import atomic_write_text

if TYPE_CHECKING:
    from rich.console import Console

Renderer = Callable[[dict[str, Any], "Console"], None]


def emit_plain(d: dict[str, Any], fmt: str, output: Path | str | None, render: Renderer) -> None:
    """JSON (stdout or an atomic 0600 file) or the rich table `render` draws, without colour in a file."""
    if fmt == "json":
        text = json.dumps(d, indent=2, ensure_ascii=False, default=str) + "\n"
        if output is None:
            print(text, end="")
        else:
            atomic_write_text(output, text)
        return
    from rich.console import Console        # only for a table: JSON output starts without rich (~50 ms)

    if output is None:
        render(d, Console())
        return
    buf = StringIO()
    render(d, Console(file=buf, width=160, force_terminal=False, color_system=None))
    atomic_write_text(output, buf.getvalue())


def _yes(v: Any) -> str:
    return "yes" if v else "no"


def _render_static(d: dict[str, Any], c: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    files = d.get("files") or {}
    c.print(f"[bold]{escape(str(d.get('package')))}[/] {escape(str(d.get('version_name') or ''))} "
            f"(code {d.get('version_code')}, min SDK {d.get('min_sdk')}, target SDK {d.get('target_sdk')}) "
            f"[dim]{escape(str(d.get('format', 'apk')))}, {files.get('dex_count', 0)} dex, "
            f"{files.get('classes', 0)} classes[/]")
    for part in files.get("parts") or []:
        if part.get("role") != "base":
            c.print(f"  [dim]{part['role']}: {escape(part['origin'])} ({escape(str(part.get('package')))})[/]")

    t = Table(title="Tracker SDKs (class names in the dex)")
    for col in ("entity", "SDK", "categories", "classes", "evidence (class prefixes)"):
        t.add_column(col, overflow="fold")
    for tr in d.get("trackers") or []:
        t.add_row(escape(str(tr["entity"])), escape(str(tr.get("name") or "")), ", ".join(tr.get("categories") or []),
                  str(tr.get("classes", "")), escape(", ".join(tr.get("evidence") or [])))
    if d.get("trackers"):
        c.print(t)
    elif not any("knowledge base unavailable" in n for n in d.get("notes") or []):
        c.print("[green]No tracker SDK recognised.[/]")

    perms = d.get("permissions") or []
    t = Table(title="Permissions")
    for col in ("permission", "dangerous", "flags"):
        t.add_column(col, overflow="fold")
    for p in perms:
        flags = [f for f in ("ad_id", "health_connect") if p.get(f)]
        style = "bold red" if p.get("dangerous") or flags else ""
        t.add_row(f"[{style}]{escape(p['name'])}[/]" if style else escape(p["name"]), _yes(p.get("dangerous")),
                  ", ".join(flags))
    if perms:
        c.print(t)

    ns = d.get("network_security") or {}
    if ns:
        c.print("[bold]Network security[/]"
                f" [dim]({escape(str(ns.get('config') or 'no config: platform defaults'))})[/]")
        c.print(f"  cleartext allowed: {_yes(ns.get('cleartext_allowed'))}"
                + (f" (domains: {escape(', '.join(ns['cleartext_domains']))})" if ns.get("cleartext_domains") else "")
                + f"; user CAs trusted: {_yes(ns.get('user_cas_trusted'))}"
                + (f" ({escape(', '.join(ns['user_ca_domains']))})" if ns.get("user_ca_domains") else "")
                + ("; user CAs in debug builds" if ns.get("debug_user_cas") else ""))
        for pin in ns.get("pins") or []:
            c.print(f"  pins for {escape(', '.join(pin['domains']))}: {len(pin['digests'])} digest(s)"
                    + (f", expire {escape(str(pin['expiration']))}" if pin.get("expiration") else ""))

    if d.get("meta_data"):
        t = Table(title="Manifest meta-data")
        t.add_column("name", overflow="fold")
        t.add_column("value", overflow="fold")
        for k, v in d["meta_data"].items():
            t.add_row(escape(k), escape(str(v)))
        c.print(t)

    if d.get("components"):
        t = Table(title="Exported components")
        for col in ("type", "name", "why exported", "permission"):
            t.add_column(col, overflow="fold")
        for comp in d["components"]:
            t.add_row(comp["type"], escape(comp["name"]), escape(comp.get("reason") or ""),
                      escape(str(comp.get("permission") or "")))
        c.print(t)

    hosts = d.get("hosts") or []
    c.print(f"[bold]Hosts named in the APK[/] ({len(hosts)}): " + escape(", ".join(hosts)))
    for note in d.get("notes") or []:
        c.print(f"[dim]note: {escape(note)}[/]")


def emit_static(d: dict[str, Any], fmt: str, output: Path | str | None) -> None:
    """Print or write an hpa.static/1 dict as a table or JSON."""
    emit_plain(d, fmt, output, _render_static)

