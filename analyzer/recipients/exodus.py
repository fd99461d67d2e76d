"""Import a user's Exodus-format tracker list into the local overlay of the knowledge base.

The format is the one the public Exodus API serves (`GET /api/trackers`): {"trackers": {"<id>": {"name",
"code_signature", "network_signature", "website", "categories", ...}}}; signatures are '|'-separated regular
expressions, which are reduced here to the plain package prefixes and host suffixes hpa matches with. A
signature that is a real pattern (character classes, wildcards in the middle) cannot be reduced and is counted
as skipped, as is a tracker record without a name.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsutil import atomic_write_json, private_dir
from .domains import is_ip
from .kb import _CLASS_RE, _HOST_RE, OVERLAY_SCHEMA, KnowledgeBase, _data_dir


def _category_map() -> tuple[dict[str, list[str]], list[str]]:
    doc = json.loads((_data_dir() / "exodus_categories.json").read_text(encoding="utf-8"))
    return {k.lower(): v for k, v in doc["map"].items()}, doc["default"]


def _unregex(sig: str) -> str:
    s = sig.strip().replace("\\.", ".").replace("\\-", "-")
    s = s.lstrip("^").rstrip("$")
    return s


def parse_network_signature(sig: Any) -> tuple[list[str], int]:
    """'\\.facebook\\.com|graph\\.facebook\\.com' -> (['facebook.com', 'graph.facebook.com'], 0 skipped)."""
    if not isinstance(sig, str) or not sig.strip():
        return [], 0
    hosts, skipped = [], 0
    for part in sig.split("|"):
        s = _unregex(part).lower()
        for lead in (".*", "*", "."):
            while s.startswith(lead):
                s = s[len(lead):]
        s = s.split("/", 1)[0]
        if s and "." in s and _HOST_RE.match(s) and not is_ip(s):
            hosts.append(s)
        elif s:
            skipped += 1
    return list(dict.fromkeys(hosts)), skipped


def parse_code_signature(sig: Any) -> tuple[list[str], int]:
    """'com.facebook.ads.|com.facebook.audiencenetwork.' -> (['com.facebook.ads', 'com.facebook.audiencenetwork'], 0)."""
    if not isinstance(sig, str) or not sig.strip():
        return [], 0
    out, skipped = [], 0
    for part in sig.split("|"):
        s = _unregex(part).rstrip(".").replace("/", ".")
        if s and "." in s and _CLASS_RE.match(s):
            out.append(s)
        elif s:
            skipped += 1
    return list(dict.fromkeys(out)), skipped


def _target(kb: KnowledgeBase, name: str, hosts: list[str], prefixes: list[str]) -> str | None:
    """The existing company an Exodus tracker belongs to: by its name ('Facebook Places' -> Meta, trying the
    leading words), else by the domains or packages it signs."""
    canon = kb.canonical_name(name)
    if canon:
        return canon
    words = name.split()
    for n in range(len(words) - 1, 0, -1):
        canon = kb.canonical_name(" ".join(words[:n]))
        if canon:
            return canon
    votes: Counter[str] = Counter()
    for h in hosts:
        e = kb.match_host(h)
        if e is not None:
            votes[e.entity] += 1
    for p in prefixes:
        e = kb.match_class(p)
        if e is not None:
            votes[e.entity] += 1
    if not votes:
        return None
    best, n = votes.most_common(1)[0]
    # Only when most of its signatures are that company's: one borrowed Meta host does not make a tracker Meta.
    return best if 2 * n > len(hosts) + len(prefixes) else None


def _read_trackers(path: Path) -> list[tuple[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(path, f"not valid JSON: {e}") from None
    trackers = doc.get("trackers") if isinstance(doc, dict) else None
    if isinstance(trackers, dict):
        return [(str(k), v) for k, v in trackers.items()]
    if isinstance(trackers, list):
        return [(str((t or {}).get("id", i)) if isinstance(t, dict) else str(i), t) for i, t in enumerate(trackers)]
    raise InputError(path, "not an Exodus tracker list: expected an object with a 'trackers' object")


def _read_overlay(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(path, f"overlay unreadable: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("companies"), list):
        raise InputError(path, "overlay: expected an object with a 'companies' list")
    return {c["entity"].lower(): c for c in doc["companies"] if isinstance(c, dict) and isinstance(c.get("entity"), str)}


def import_exodus(path: Path, kb: KnowledgeBase, overlay: Path) -> dict[str, Any]:
    records = _read_trackers(path)
    cmap, default_cats = _category_map()
    companies = _read_overlay(overlay)
    skipped: Counter[str] = Counter()
    added = merged = unchanged = 0
    note = f"imported from {path.name} (Exodus format)"

    for tid, t in records:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"].strip():
            skipped["record without a name"] += 1
            continue
        name = t["name"].strip()
        hosts, bad_h = parse_network_signature(t.get("network_signature"))
        prefixes, bad_p = parse_code_signature(t.get("code_signature"))
        if bad_h:
            skipped["network signature not a plain host"] += bad_h
        if bad_p:
            skipped["code signature not a plain package"] += bad_p
        cats = [c for x in (t.get("categories") or []) if isinstance(x, str) for c in cmap.get(x.lower(), default_cats)]
        cats = list(dict.fromkeys(cats))
        canon = _target(kb, name, hosts, prefixes)
        owner = kb.entity(canon) if canon else None

        # Keep only what is new for this company; never take a domain or package another company already owns.
        new_hosts: list[str] = []
        for h in hosts:
            e = kb.match_host(h)
            if e is not None and e.entity == (canon or name):
                continue
            if e is not None and e.matched == h:
                skipped["domain of another company"] += 1
                continue
            new_hosts.append(h)
        new_prefixes: list[str] = []
        for p in prefixes:
            e = kb.match_class(p)
            if e is not None and e.entity == (canon or name):
                continue
            if e is not None and e.matched == p:
                skipped["package of another company"] += 1
                continue
            new_prefixes.append(p)

        key = (canon or name).lower()
        entry = companies.get(key)
        is_new_company = owner is None and entry is None
        if entry is None:
            entry = {"entity": canon or name, "domains": {}, "sdk_signatures": [], "aliases": [], "source": note}
            if owner is None:
                entry.update({"categories": cats or list(default_cats), "website": t.get("website") or None})
        entry.setdefault("domains", {})
        if isinstance(entry["domains"], list):
            entry["domains"] = {d: None for d in entry["domains"]}
        entry.setdefault("sdk_signatures", [])
        entry.setdefault("aliases", [])
        dom_cats = cats or (list(owner.categories) if owner else list(default_cats))
        changed = False
        for h in new_hosts:
            if h not in entry["domains"]:
                entry["domains"][h] = dom_cats
                changed = True
        have = {p for s in entry["sdk_signatures"] if isinstance(s, dict) for p in s.get("prefixes", [])}
        fresh = [p for p in new_prefixes if p not in have]
        if fresh:
            entry["sdk_signatures"].append({"name": name, "prefixes": fresh, "categories": dom_cats})
            changed = True
        if canon and kb.canonical_name(name) is None and name not in entry["aliases"]:
            entry["aliases"].append(name)       # the Exodus name now resolves to the company too
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
    return {"trackers": len(records), "added": added, "merged": merged, "unchanged": unchanged,
            "skipped": dict(skipped), "skipped_total": sum(skipped.values()), "overlay": str(overlay)}
