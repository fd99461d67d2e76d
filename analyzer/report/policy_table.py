"""`hpa policy` output: an hpa.policy/1 dict as text for a reader, or JSON.

The table reads top-down as a person would check a policy: the headline promises first, then the claims grouped by
the data they speak of (one line of facts per claim, the sentence wrapped at the terminal width under it), then the
companies named. JSON goes to stdout or, atomically (0600), to `output`; a table written to a file has no colour."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .tables import emit_plain

if TYPE_CHECKING:
    from rich.console import Console

MAX_SENTENCE = 400      # characters of a sentence shown; the JSON has it whole
PROMISE_LABELS = {
    "no_sale_promise": "promises never to sell data",
    "no_health_sharing_promise": "promises not to share health data",
    "shares_with_ads_analytics": "says it shares with advertising / analytics",
    "collects_advertising_id": "says it collects the advertising ID",
    "collects_location": "says it collects location",
}


def _group(c: dict[str, Any]) -> str:
    """The data a claim is filed under: its most specific wording ('email', 'menstrual_cycle'), else 'personal data'."""
    details = [d for d in c.get("details") or [] if d != "personal_data"]
    return (details[0] if details else "personal_data").replace("_", " ")


def _promises(d: dict[str, Any], console: Console) -> None:
    try:
        from ..policy.summary import claim_kinds

        k = claim_kinds(d)
    except Exception:  # a hand-made dict without the fields claim_kinds needs: the claims below are enough
        return
    console.print("[bold]Promises[/bold]")
    for name, label in PROMISE_LABELS.items():
        v = k.get(name)
        if isinstance(v, bool):
            console.print(f"  {'[green]yes[/green]' if v else '[dim]no[/dim] '}  {label}")
    negs = [c for c in d.get("claims", []) if c.get("polarity") == "negative"]
    console.print(f"  {len(negs)} negative statement(s), {len(d.get('claims', [])) - len(negs)} positive")


def render_policy(d: dict[str, Any], console: Console) -> None:
    from rich.markup import escape          # rich only for a table (emit_plain writes JSON without it)
    from rich.padding import Padding
    from rich.text import Text

    console.print(f"[bold]Policy[/bold] {escape(str(d.get('source') or '-'))}  language: {d.get('language')}  "
                  f"claims: {len(d.get('claims', []))}")
    _promises(d, console)
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in d.get("claims", []):
        groups.setdefault(_group(c), []).append(c)
    # the data named most specifically first; "personal data" at large last
    for name in sorted(groups, key=lambda g: (g == "personal data", g)):
        console.print()
        console.rule(f"[bold]{escape(name)}[/bold] ({len(groups[name])})", align="left")
        by_sentence: dict[tuple, list[dict[str, Any]]] = {}
        for c in groups[name]:
            by_sentence.setdefault((tuple(c.get("span") or ()), c.get("sentence", "")), []).append(c)
        for (span, sentence), cs in by_sentence.items():
            facts = []
            for c in cs:
                neg = c.get("polarity") == "negative"
                fact = ("[red]does not[/red] " if neg else "") + escape(c.get("action", ""))
                if c.get("recipients"):
                    fact += " → " + escape(", ".join(c["recipients"]))
                if c.get("conditions"):
                    fact += " [dim](" + escape("; ".join(c["conditions"]))[:120] + ")[/dim]"
                facts.append(fact)
            s = " ".join(sentence.split())
            s = s if len(s) <= MAX_SENTENCE else s[: MAX_SENTENCE - 1] + "…"
            console.print("  • " + "; ".join(dict.fromkeys(facts)))
            text = Text(s, overflow="fold")
            if span:
                text.append(f" @{span[0]}-{span[1]}", style="dim")
            console.print(Padding(text, (0, 0, 0, 4)))   # wrapped at the terminal width, indented under its facts
    console.print()
    tps = d.get("third_parties", [])
    if tps:
        console.print("[bold]Companies named:[/bold] " + escape(", ".join(
            f"{x['entity']}" + (f" [{x['role']}]" if x.get("role") else "") + f" ({x['mentions']})" for x in tps)))
    if d.get("contact_domains"):
        console.print("[bold]Controller domains:[/bold] " + escape(", ".join(d["contact_domains"])))


def emit_policy(d: dict[str, Any], fmt: str, output: Path | str | None) -> None:
    """Print (stdout) or write atomically (output) an hpa.policy/1 dict; fmt: table | json."""
    emit_plain(d, fmt, output, render_policy)
