"""`hpa trackers list|show|import`: the tracker knowledge base as terminal tables or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..recipients.domains import is_ip, normalize_host, registrable_domain
from ..recipients.kb import Entry, KnowledgeBase, clear_cache, load_kb, overlay_path


def _looks_like_host(text: str) -> bool:
    t = text.strip()
    return "." in t and " " not in t


def explain_host(kb: KnowledgeBase, host: str) -> dict[str, Any]:
    """How hpa attributes a host name from its lists alone (the traffic can add CNAME, certificate, SDK clues)."""
    h = normalize_host(host)
    out: dict[str, Any] = {"host": h, "domain": registrable_domain(h)}
    e = kb.match_host(h) if h and not is_ip(h) else None
    if e is None:
        out.update(entity=None, attribution=None, note=(
            "no bundled or imported list names this domain: a report shows it with entity null, unless the capture "
            "ties it to a company (DNS CNAME to a tracker, the TLS certificate, an SDK's marks in the request, the "
            "APK class it is written in); an advertising ID sent in an ad request makes its category 'advertising' (inferred)"))
        return out
    out.update(entity=e.entity, owners=kb.owner_chain(e.entity)[1:], categories=list(e.categories), country=e.country,
               matched=e.matched, attribution={"method": "domain_list", "source": f"{e.file_for_domain(e.matched or '')}: {e.matched}"},
               company_source=e.source, parent_source=e.parent_source,
               party="service_provider" if e.is_service_provider else "third")
    return out


def _resolve(kb: KnowledgeBase, name: str) -> Entry | None:
    """A company by name or alias, else by an SDK class prefix."""
    e = kb.entity(name)
    if e is None and _looks_like_host(name):
        hit = kb.match_class(name)
        if hit is not None:
            e = kb.entity(hit.entity)
    return e


def cli_list(fmt: str = "table") -> None:
    kb = load_kb()
    entries = sorted(kb.entries, key=lambda e: e.entity.lower())
    if fmt == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Tracker knowledge base: {len(entries)} companies, {sum(len(e.domains) for e in entries)} domains")
    for col in ("Entity", "Parent", "Country", "Categories", "Domains", "SDKs", "Origin"):
        t.add_column(col, overflow="fold")
    for e in entries:
        doms = ", ".join(e.domains[:3]) + (f" (+{len(e.domains) - 3})" if len(e.domains) > 3 else "")
        t.add_row(e.entity, e.parent or "", e.country or "", ", ".join(e.categories), doms,
                  str(len(e.sdk_signatures)), e.origin)
    Console().print(t)


def _print_host(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=d["host"], show_header=False, show_lines=True)
    t.add_column("field", style="bold")
    t.add_column("value", overflow="fold")
    t.add_row("registrable domain", d["domain"])
    if d["entity"] is None:
        t.add_row("company", "unknown (entity: null)")
        t.add_row("how hpa decides", d["note"])
    else:
        t.add_row("company", d["entity"])
        t.add_row("owned by", " -> ".join(d["owners"]) or "(no parent recorded)")
        t.add_row("categories", ", ".join(d["categories"]) or "-")
        t.add_row("party", d["party"])
        t.add_row("attributed by", f"{d['attribution']['method']}: {d['attribution']['source']}")
        t.add_row("company facts from", d["company_source"] or "-")
        if d["parent_source"]:
            t.add_row("ownership fact", d["parent_source"])
    Console().print(t)


def cli_show(name: str, fmt: str = "table") -> None:
    """A company by name, alias or SDK class prefix; a host name shows how it is attributed."""
    kb = load_kb()
    e = _resolve(kb, name)
    if e is None and _looks_like_host(name):
        d = explain_host(kb, name)
        print(json.dumps(d, indent=2, ensure_ascii=False)) if fmt == "json" else _print_host(d)
        return
    if e is None:
        raise InputError(None, f"no company named {name}")
    d = e.to_dict()
    d["owners"] = kb.owner_chain(e.entity)[1:]
    if fmt == "json":
        print(json.dumps(d, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=e.entity, show_header=False, show_lines=True)
    t.add_column("field", style="bold")
    t.add_column("value", overflow="fold")
    for k in ("parent", "country", "website", "origin"):
        t.add_row(k, str(d[k] or ""))
    t.add_row("owned by", " -> ".join(d["owners"]))
    t.add_row("categories", ", ".join(d["categories"]))
    t.add_row("aliases", ", ".join(d["aliases"]))
    t.add_row("domains", "\n".join(f"{dom}  [{', '.join(c) or '-'}]" for dom, c in d["domains"].items()))
    t.add_row("SDK signatures", "\n".join(f"{s['name']}: {', '.join(s['prefixes'])}  [{', '.join(s['categories'])}]"
                                          for s in d["sdk_signatures"]))
    t.add_row("source", d["source"])
    if d["parent_source"]:
        t.add_row("ownership fact", d["parent_source"])
    Console().print(t)


def cli_import(path: str) -> dict[str, Any]:
    """Merge a tracker list (Exodus, Tracker Radar/TDS, Disconnect, hpa, CSV) into the user's overlay; print a summary."""
    from ..recipients.importer import import_list

    summary = import_list(Path(path), load_kb(), overlay_path())
    clear_cache()
    print(f"imported {summary['trackers']} trackers ({summary['format']} format) from {path}: {summary['added']} added, "
          f"{summary['merged']} merged into existing companies"
          + (f", {summary['unchanged']} already known" if summary["unchanged"] else "")
          + (f"; skipped {summary['skipped_total']} ({', '.join(f'{k}: {v}' for k, v in summary['skipped'].items())})"
             if summary["skipped_total"] else "")
          + f"; overlay: {summary['overlay']}")
    return summary
