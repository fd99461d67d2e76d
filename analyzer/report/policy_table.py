"""`hpa policy` output: an hpa.policy/1 dict as a rich table (claims, named companies, promises) or JSON.

JSON goes to stdout or, atomically (0600), to `output`; a table written to a file is rendered without colour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .tables import emit_plain

MAX_SENTENCE = 160
MAX_TYPES_SHOWN = 4


def _types(c: dict[str, Any]) -> str:
    details = c.get("details") or []
    types = c.get("data_types") or []
    if len(types) > MAX_TYPES_SHOWN:
        return ", ".join(details) + f" ({len(types)} types)"
    return ", ".join(types) or ", ".join(details)


def render_policy(d: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]Policy[/bold] {escape(str(d.get('source') or '-'))}  language: {d.get('language')}  "
                  f"claims: {len(d.get('claims', []))}")
    t = Table(show_lines=False, expand=False)
    for col in ("action", "polarity", "data", "recipients", "conditions", "sentence"):
        t.add_column(col, overflow="fold")
    for c in d.get("claims", []):
        pol = c.get("polarity", "")
        style = "red" if pol == "negative" else ""
        s = c.get("sentence", "")
        s = s if len(s) <= MAX_SENTENCE else s[: MAX_SENTENCE - 1] + "…"
        span = c.get("span")
        t.add_row(c.get("action", ""), f"[{style}]{pol}[/{style}]" if style else pol, escape(_types(c)),
                  escape(", ".join(c.get("recipients", []))), escape("; ".join(c.get("conditions", []))),
                  escape(s) + (f" [dim]@{span[0]}-{span[1]}[/dim]" if span else ""))
    console.print(t)
    tps = d.get("third_parties", [])
    if tps:
        console.print("[bold]Companies named:[/bold] " + escape(", ".join(f"{x['entity']} ({x['mentions']})" for x in tps)))
    if d.get("contact_domains"):
        console.print("[bold]Controller domains:[/bold] " + escape(", ".join(d["contact_domains"])))
    try:
        from ..policy.summary import claim_kinds

        k = claim_kinds(d)
        console.print("[bold]Promises:[/bold] " + ", ".join(f"{n}={'yes' if v else 'no'}" for n, v in k.items()
                                                             if isinstance(v, bool)))
    except Exception:  # a hand-made dict without the fields claim_kinds needs: the table above is enough
        pass


def emit_policy(d: dict[str, Any], fmt: str, output: Path | str | None) -> None:
    """Print (stdout) or write atomically (output) an hpa.policy/1 dict; fmt: table | json."""
    emit_plain(d, fmt, output, render_policy)
