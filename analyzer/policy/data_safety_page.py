"""The Play Store's Data safety page as people get it: saved from a browser (HTML) or copied as text, EN or FR.

The page lists, under "Data shared" / "Data collected" ("Données partagées" / "Données collectées"), each category
("Personal info") with its types ("Email address, Name") and purposes; "No data shared with third parties" stands
alone. Lines are matched against the labels of analyzer/data/policy/play_labels.json, so the result is the same
DataSafety that hpa's JSON form gives. Unknown lines (descriptions, buttons) are ignored."""

from __future__ import annotations

import re

from ..model import DATA_TYPES
from .data_safety import DataSafety, DataSafetyEntry, labels, norm_label, purpose_id
from .text import html_lines

def page_lines(text: str, html: bool) -> list[str]:
    if not html:
        return [" ".join(x.split()) for x in text.splitlines() if x.strip()]
    return [x.lstrip("#- ").strip() for x in html_lines(text, inline_spans=True)]


def looks_like_page(text: str) -> bool:
    """A Data safety page (not hpa's JSON): one of its section headings appears on a line of its own."""
    page = labels()["page"]
    heads = {norm_label(h) for k in ("shared", "collected", "no_shared", "no_collected") for h in page[k]}
    return any(norm_label(x) in heads for x in page_lines(text, "<" in text[:2000]))


def _types_of(line: str) -> list[str]:
    """Report ids a line names: a type label, several joined by commas / 'and', or a category label."""
    lab = labels()
    n = norm_label(line).rstrip(".")
    if n in lab["types"]:
        return [lab["types"][n]]
    parts = [n]
    for sep in lab["page"]["separators"]:
        parts = [q for p in parts for q in p.split(sep)]
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) > 1 and all(p in lab["types"] for p in parts):
        return [lab["types"][p] for p in parts]
    return []


def _category(line: str) -> list[str]:
    group = labels()["categories"].get(norm_label(line))
    return [t for t in DATA_TYPES if group and (t == group or t.startswith(group + "."))]


def _purposes(line: str) -> list[str]:
    lab = labels()
    n = norm_label(line)
    n = re.sub(r"^(?:purposes?|finalités?|objectifs?)\s*:?\s*", "", n)
    parts = [n]
    for sep in lab["page"]["separators"]:
        parts = [q for p in parts for q in p.split(sep)]
    parts = [p.strip(" .") for p in parts if p.strip(" .")]
    known = {k for k in lab["purposes"]}
    # "Advertising or marketing" holds " or ": try the whole line against the labels first
    if n.strip(" .") in known:
        return [purpose_id(n.strip(" ."))]
    return [purpose_id(p) for p in parts] if parts and all(p in known for p in parts) else []


def parse_page(text: str, source: str, html: bool) -> DataSafety:
    """DataSafety from the page's text lines; a category with no type listed under it stands for all its types."""
    page = labels()["page"]
    words = {k: {norm_label(x) for x in v} for k, v in page.items() if isinstance(v, list)}
    ds = DataSafety(app_id=None, source=source)
    section: str | None = None
    pending_cat: list[str] = []
    last: list[str] = []

    def add(ids: list[str]) -> None:
        nonlocal last
        for i in ids:
            old = ds.data_types.get(i) or DataSafetyEntry(i)
            old.collected = True
            old.shared = old.shared or section == "shared"
            ds.data_types[i] = old
        last = ids

    for line in page_lines(text, html):
        n = norm_label(line).rstrip(".")
        if n in words["no_shared"]:
            ds.no_data_shared = True
            continue
        if n in words["no_collected"]:
            ds.no_data_collected = True
            continue
        if n in words["shared"] or n in words["collected"] or n in words["security"]:
            if pending_cat:
                add(pending_cat)
            pending_cat, last = [], []
            section = "shared" if n in words["shared"] else "collected" if n in words["collected"] else "security"
            continue
        if section == "security":
            if n in words["encrypted_in_transit"]:
                ds.security["encrypted_in_transit"] = True
            elif n in words["deletion_request"]:
                ds.security["deletion_request"] = True
            continue
        if section is None:
            continue
        ids = _types_of(line)
        if ids:
            pending_cat = []
            add(ids)
            continue
        cat = _category(line)
        if cat:
            if pending_cat:          # the previous category had no type of its own
                add(pending_cat)
            pending_cat = cat
            continue
        if n in words["optional"]:
            for i in last:
                ds.data_types[i].optional = True
            continue
        purposes = _purposes(line)
        if purposes and last:
            for i in last:
                e = ds.data_types[i]
                e.purposes = list(dict.fromkeys(e.purposes + purposes))
    if pending_cat:
        add(pending_cat)
    if ds.no_data_shared and any(e.shared for e in ds.data_types.values()):
        ds.warnings.append("page says 'no data shared' but lists shared data types; 'no data shared' wins")
    return ds
