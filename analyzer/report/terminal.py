"""The terminal summary (rich): label first, then who got what, then the evidence that shows it."""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

MAX_REASONS = 15
VERDICT_STYLE = {
    "privacy_not_included": ("bold white on red", "PRIVACY NOT INCLUDED"),
    "concerns": ("bold black on yellow", "CONCERNS"),
    "no_issues_observed": ("bold white on green", "NO ISSUES OBSERVED"),
    "inconclusive": ("bold white on grey37", "INCONCLUSIVE"),
}


def terminal_console() -> Console:
    """The terminal's width, or `COLUMNS` when set (rich reads it), also when piped; 120 for a pipe without it."""
    return Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 120)


def print_report(r: dict[str, Any], console: Console | None = None) -> None:
    from ..verdict.names import data_type_name, detail_name

    c = console or terminal_console()
    app = r.get("app") or {}
    label = r.get("label") or {}
    style, text = VERDICT_STYLE.get(label.get("verdict", ""), ("bold", str(label.get("verdict"))))
    c.print(f"[bold]{escape(str(app.get('name') or app.get('id') or 'unknown app'))}[/]  [{style}] {text} [/]")
    if (r.get("coverage") or {}).get("simulated"):
        c.print("[italic]This app was simulated: a scripted scenario through the real proxy, not a real app.[/]")
    for x in label.get("received") or []:
        c.print(f" {escape(x['summary'])}")
    reasons = label.get("reasons", [])
    if reasons:
        c.print("[bold]Why:[/]")
    for reason in reasons[:MAX_REASONS]:
        ev = reason.get("evidence") or []
        where = f" [dim](e.g. flow {escape(ev[0]['flow_id'])} {escape(ev[0]['location'])})[/]" if ev else ""
        c.print(f" • {escape(reason['summary'])} [dim]({escape(reason['rule'])})[/]{where}")
    if len(reasons) > MAX_REASONS:
        c.print(f"   … and {len(reasons) - MAX_REASONS} more reasons (--format json or html lists them all)")
    for lim in label.get("limits", []):
        c.print(f"   [dim]limit: {escape(lim)}[/]")

    flows = r.get("data_flows") or []
    if flows:
        t = Table(title="What is sent, to whom", show_lines=False, expand=False)
        # words wrap at spaces; only long unbroken tokens (hosts, field paths) are folded
        for col in ("data (details)", "recipient", "party", "policy / form", "requests", "e.g. field"):
            t.add_column(col, overflow="fold", min_width=8 if col != "requests" else None)
        for df in flows:
            rec = df["recipient"]
            ev = df.get("evidence") or [{}]
            details = ", ".join(dict.fromkeys(detail_name(d) for d in df.get("details", [])[:4]))
            t.add_row(escape(data_type_name(df["data_type"]) + (f" ({details})" if details else "")),
                      escape(f"{rec.get('entity') or '?'} ({rec['domain']})"), rec["party"],
                      f"{df.get('consistency') or '-'} / {df.get('data_safety') or '-'}",
                      str(df.get("evidence_count", len(df.get("evidence", [])))),
                      escape(str(ev[0].get("location", ""))))
        c.print(t)
    contacts = r.get("contacts") or []
    if contacts:
        t = Table(title=f"Hosts contacted ({len(contacts)})")
        for col in ("host", "domain", "party", "company", "categories", "requests"):
            t.add_column(col, overflow="fold")
        for ct in contacts[:40]:
            t.add_row(escape(ct["host"]), escape(ct["domain"]), ct["party"], escape(str(ct.get("entity") or "-")),
                      ", ".join(ct.get("categories", [])), str(ct.get("flows", "")))
        c.print(t)
    inp = r.get("input") or {}
    cov = r.get("coverage") or {}
    c.print(f"[dim]read {inp.get('flows_read', 0)} flows from {len(inp.get('files', []))} file(s), "
            f"skipped {inp.get('records_skipped', 0)}; intercepted {cov.get('intercepted_tls', 0)} TLS, "
            f"refused {cov.get('failed_tls', 0)}, cleartext {cov.get('cleartext_http', 0)}, "
            f"pcap-only {cov.get('pcap_only', 0)}[/]")
