"""`hpa trackers import FILE`: merge a tracker list into the user's overlay of the knowledge base.

Formats, told apart by content:
- Exodus (`{"trackers": {id: {name, network_signature, code_signature, categories}}}`, see `exodus.py`);
- DuckDuckGo Tracker Radar / TDS (`{"trackers": {domain: {"owner": {"name", "displayName"}, "categories"}}}`);
- Disconnect services (`{"categories": {category: [{company: {homepage: [domains]}}]}}`);
- hpa's own company files (`{"companies": [...]}`, `hpa.trackers/1`, as in `analyzer/data/recipients/`);
- CSV with a header naming `domain` and `company` (optional `parent`, `country`, `categories` separated by ';').
What the user imports stays on their machine (the overlay); its licence is theirs to respect.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsutil import atomic_write_json, private_dir, read_json_input
from .domains import is_ip, normalize_host
from .exodus import exodus_records, is_exodus
from .import_records import ImportRecord, default_categories, map_categories
from .kb import CATEGORIES, CLASS_RE, HOST_RE, OVERLAY_SCHEMA, KnowledgeBase

MAX_IMPORT_BYTES = 256 * 1024 * 1024
# skip reasons that drop a whole record (the others drop one signature of a record that is kept)
WHOLE_RECORD = frozenset({"record without a name", "tracker without owner or host", "entry not an object",
                          "company without an entity name", "row without company or host"})


def _host(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    h = normalize_host(text).lstrip("*.")
    return h if h and "." in h and HOST_RE.match(h) and not is_ip(h) else None


def _tds_records(doc: dict[str, Any], skipped: Counter[str]) -> list[ImportRecord]:
    by_owner: dict[str, ImportRecord] = {}
    for dom, t in doc["trackers"].items():
        owner = t.get("owner") if isinstance(t, dict) else None
        name = (owner or {}).get("displayName") or (owner or {}).get("name") if isinstance(owner, dict) else None
        h = _host(dom)
        if not isinstance(name, str) or not name.strip() or h is None:
            skipped["tracker without owner or host"] += 1
            continue
        rec = by_owner.setdefault(name.strip(), ImportRecord(name=name.strip()))
        rec.hosts.append(h)
        cats = map_categories([c for c in t.get("categories") or [] if isinstance(c, str)])
        if cats:
            rec.categories = list(dict.fromkeys((rec.categories or []) + cats))
            rec.host_categories[h] = cats
    return list(by_owner.values())


def _disconnect_records(doc: dict[str, Any], skipped: Counter[str]) -> list[ImportRecord]:
    by_name: dict[str, ImportRecord] = {}
    for cat, items in doc["categories"].items():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                skipped["entry not an object"] += 1
                continue
            for company, sites in item.items():
                rec = by_name.setdefault(company.strip(), ImportRecord(name=company.strip()))
                cats = map_categories([cat]) or []
                rec.categories = list(dict.fromkeys((rec.categories or []) + cats))
                for homepage, doms in (sites.items() if isinstance(sites, dict) else []):
                    if rec.website is None and isinstance(homepage, str) and homepage.startswith("http"):
                        rec.website = homepage
                    for d in doms if isinstance(doms, list) else []:
                        h = _host(d)
                        if h:
                            rec.hosts.append(h)
                            rec.host_categories[h] = list(dict.fromkeys(rec.host_categories.get(h, []) + cats))
                        else:
                            skipped["not a host name"] += 1
    return [r for r in by_name.values() if r.hosts]


def _hpa_records(doc: dict[str, Any], skipped: Counter[str]) -> list[ImportRecord]:
    out = []
    for c in doc["companies"]:
        if not isinstance(c, dict) or not isinstance(c.get("entity"), str) or not c["entity"].strip():
            skipped["company without an entity name"] += 1
            continue
        doms = c.get("domains") or []
        hosts = [h for h in (_host(d) for d in (doms.keys() if isinstance(doms, dict) else doms)) if h]
        prefixes = [p for s in c.get("sdk_signatures") or [] for p in ([s] if isinstance(s, str) else s.get("prefixes", []))
                    if isinstance(p, str) and CLASS_RE.match(p)]
        cats = c.get("categories")
        out.append(ImportRecord(c["entity"].strip(), hosts, prefixes, [x for x in cats if x in CATEGORIES] if isinstance(cats, list) else None,
                                c.get("website"), c.get("parent"), c.get("country")))
    return out


def _csv_records(text: str, path: Path, skipped: Counter[str]) -> list[ImportRecord]:
    rows = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in rows.fieldnames or []]
    if "domain" not in fields or "company" not in fields:
        raise InputError(path, "not a tracker list: expected Exodus, Tracker Radar/TDS, Disconnect or hpa JSON, "
                               "or a CSV with 'domain' and 'company' columns")
    rows.fieldnames = fields
    by_name: dict[str, ImportRecord] = {}
    for row in rows:
        name, h = (row.get("company") or "").strip(), _host(row.get("domain"))
        if not name or h is None:
            skipped["row without company or host"] += 1
            continue
        rec = by_name.setdefault(name, ImportRecord(name=name))
        rec.hosts.append(h)
        rec.parent = rec.parent or (row.get("parent") or "").strip() or None
        rec.country = rec.country or (row.get("country") or "").strip().upper() or None
        cats = map_categories([c for c in (row.get("categories") or "").split(";") if c.strip()])
        if cats:
            rec.categories = list(dict.fromkeys((rec.categories or []) + cats))
            rec.host_categories[h] = cats
    return list(by_name.values())


def read_records(path: Path) -> tuple[str, list[ImportRecord], Counter[str]]:
    """(format name, records, skipped by reason) of a tracker list file."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InputError(path, f"larger than {MAX_IMPORT_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    skipped: Counter[str] = Counter()
    if text.lstrip()[:1] in ("{", "["):
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise InputError(path, f"not valid JSON: {e}") from None
        if isinstance(doc, dict) and isinstance(doc.get("trackers"), dict) and any(
                isinstance(v, dict) and "owner" in v for v in list(doc["trackers"].values())[:50]):
            return "tracker-radar", _tds_records(doc, skipped), skipped
        if is_exodus(doc):
            return "exodus", exodus_records(doc, skipped), skipped
        if isinstance(doc, dict) and isinstance(doc.get("categories"), dict):
            return "disconnect", _disconnect_records(doc, skipped), skipped
        if isinstance(doc, dict) and isinstance(doc.get("companies"), list):
            return "hpa", _hpa_records(doc, skipped), skipped
        raise InputError(path, "not a tracker list: expected Exodus ('trackers'), Tracker Radar/TDS ('trackers' with "
                               "owners), Disconnect ('categories') or hpa ('companies') JSON")
    return "csv", _csv_records(text, path, skipped), skipped


def _target(kb: KnowledgeBase, rec: ImportRecord) -> str | None:
    """The existing company a record belongs to: by its name ('Facebook Places' -> Meta, trying the leading words),
    else by the domains or packages it lists, when most of them are that company's."""
    canon = kb.canonical_name(rec.name)
    if canon:
        return canon
    words = rec.name.split()
    for n in range(len(words) - 1, 0, -1):
        canon = kb.canonical_name(" ".join(words[:n]))
        if canon:
            return canon
    votes: Counter[str] = Counter()
    for h in rec.hosts:
        e = kb.match_host(h)
        if e is not None:
            votes[e.entity] += 1
    for p in rec.prefixes:
        e = kb.match_class(p)
        if e is not None:
            votes[e.entity] += 1
    if not votes:
        return None
    best, n = votes.most_common(1)[0]
    # one borrowed Meta host does not make a tracker Meta
    return best if 2 * n > len(rec.hosts) + len(rec.prefixes) else None


def _unclaimed(items: list[str], match: Any, owner: str, skipped: Counter[str], why: str) -> list[str]:
    """The items (hosts or packages) not yet known as `owner`'s and not exactly another company's."""
    out: list[str] = []
    for x in dict.fromkeys(items):
        e = match(x)
        if e is not None and e.entity == owner:
            continue
        if e is not None and e.matched == x:
            skipped[why] += 1
            continue
        out.append(x)
    return out


def _read_overlay(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    doc = read_json_input(path, "tracker overlay")
    if not isinstance(doc, dict) or not isinstance(doc.get("companies"), list):
        raise InputError(path, "overlay: expected an object with a 'companies' list")
    return {c["entity"].lower(): c for c in doc["companies"] if isinstance(c, dict) and isinstance(c.get("entity"), str)}


def import_list(path: Path, kb: KnowledgeBase, overlay: Path) -> dict[str, Any]:
    """Merge the list at `path` into the overlay file; return a summary (trackers, added, merged, unchanged, skipped)."""
    fmt, records, skipped = read_records(path)
    companies = _read_overlay(overlay)
    added = merged = unchanged = 0
    note = f"imported from {path.name} ({fmt} format)"
    for rec in records:
        canon = _target(kb, rec)
        owner = kb.entity(canon) if canon else None
        # keep only what is new for this company; never take a domain or package another company already owns
        owner_name = canon or rec.name
        new_hosts = _unclaimed(rec.hosts, kb.match_host, owner_name, skipped, "domain of another company")
        new_prefixes = _unclaimed(rec.prefixes, kb.match_class, owner_name, skipped, "package of another company")
        key = (canon or rec.name).lower()
        entry = companies.get(key)
        is_new_company = owner is None and entry is None
        if entry is None:
            entry = {"entity": canon or rec.name, "domains": {}, "sdk_signatures": [], "aliases": [], "source": note}
            if owner is None:
                entry.update({"categories": rec.categories or default_categories(), "website": rec.website,
                              "parent": rec.parent, "country": rec.country})
        if isinstance(entry.get("domains"), list):
            entry["domains"] = {d: None for d in entry["domains"]}
        entry.setdefault("domains", {})
        entry.setdefault("sdk_signatures", [])
        entry.setdefault("aliases", [])
        dom_cats = rec.categories or (list(owner.categories) if owner else default_categories())
        changed = False
        for h in new_hosts:
            if h not in entry["domains"]:
                entry["domains"][h] = rec.host_categories.get(h) or dom_cats
                changed = True
        have = {p for s in entry["sdk_signatures"] if isinstance(s, dict) for p in s.get("prefixes", [])}
        fresh = [p for p in new_prefixes if p not in have]
        if fresh:
            entry["sdk_signatures"].append({"name": rec.name, "prefixes": fresh, "categories": dom_cats})
            changed = True
        if canon and kb.canonical_name(rec.name) is None and rec.name not in entry["aliases"]:
            entry["aliases"].append(rec.name)       # the list's name now resolves to the company too
            changed = True
        if is_new_company:
            companies[key] = entry
            added += 1
        elif changed:
            companies[key] = entry
            merged += 1
        else:
            unchanged += 1

    private_dir(overlay.parent)
    atomic_write_json(overlay, {"schema": OVERLAY_SCHEMA, "about": "hpa trackers import: additions to the bundled knowledge base",
                                "companies": list(companies.values())})
    dropped = sum(n for k, n in skipped.items() if k in WHOLE_RECORD)
    return {"format": fmt, "trackers": len(records) + dropped, "added": added, "merged": merged, "unchanged": unchanged,
            "skipped": dict(skipped), "skipped_total": sum(skipped.values()), "overlay": str(overlay)}
