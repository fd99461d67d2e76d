"""Exodus-format tracker lists (the public Exodus API, `GET /api/trackers`): {"trackers": {"<id>": {"name",
"code_signature", "network_signature", "website", "categories", ...}}}. Signatures are '|'-separated regular
expressions, reduced here to the plain package prefixes and host suffixes hpa matches with; a signature that is a
real pattern (character classes, wildcards in the middle) cannot be reduced and is counted as skipped, as is a
tracker record without a name. `importer.import_list` merges the records into the user's overlay.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .domains import is_ip
from .import_records import ImportRecord, map_categories
from .kb import CLASS_RE, HOST_RE


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
        if s and "." in s and HOST_RE.match(s) and not is_ip(s):
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
        if s and "." in s and CLASS_RE.match(s):
            out.append(s)
        elif s:
            skipped += 1
    return list(dict.fromkeys(out)), skipped


def is_exodus(doc: Any) -> bool:
    trackers = doc.get("trackers") if isinstance(doc, dict) else None
    values = list(trackers.values()) if isinstance(trackers, dict) else trackers if isinstance(trackers, list) else None
    if values is None:
        return False
    sample = [v for v in values[:20] if isinstance(v, dict)]
    return not sample or any(k in v for v in sample for k in ("code_signature", "network_signature", "name"))


def exodus_records(doc: dict[str, Any], skipped: Counter[str]) -> list[ImportRecord]:
    trackers = doc["trackers"]
    items = list(trackers.values()) if isinstance(trackers, dict) else list(trackers)
    out: list[ImportRecord] = []
    for t in items:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"].strip():
            skipped["record without a name"] += 1
            continue
        hosts, bad_h = parse_network_signature(t.get("network_signature"))
        prefixes, bad_p = parse_code_signature(t.get("code_signature"))
        if bad_h:
            skipped["network signature not a plain host"] += bad_h
        if bad_p:
            skipped["code signature not a plain package"] += bad_p
        cats = [x for x in (t.get("categories") or []) if isinstance(x, str)]
        out.append(ImportRecord(name=t["name"].strip(), hosts=hosts, prefixes=prefixes, categories=map_categories(cats),
                                website=t.get("website") if isinstance(t.get("website"), str) else None))
    return out
