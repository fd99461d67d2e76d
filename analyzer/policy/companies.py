"""Companies a policy names, under canonical names.

The wordings to look for come from analyzer/data/policy/companies.json (policy wording only); canonical names and
categories are the recipients knowledge base's (`analyzer.recipients.kb`), so policy and traffic agree on companies."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from typing import Callable

from .lexicon import companies


@dataclass(frozen=True)
class CompanyMatcher:
    regex: re.Pattern[str]              # case-insensitive wordings
    regex_cs: re.Pattern[str]           # wordings that are also common words: exact case only
    canonical: dict[str, str]           # lower-cased wording -> fallback spelling when the knowledge base lacks it


def _kb_canonical() -> Callable[[str], str | None] | None:
    try:
        from ..recipients.kb import canonical_name
    except Exception:  # the recipients room may not be installed yet, or broken: fall back to our table
        return None
    return canonical_name


def _kb_find() -> Callable[[str], list] | None:
    try:
        from ..recipients.kb import find_entities
    except Exception:
        return None
    return find_entities


@cache
def matcher() -> CompanyMatcher:
    ci: list[str] = []
    cs: list[str] = []
    canon: dict[str, str] = {}
    for c in companies():
        for a in c.get("aliases", []):
            ci.append(a)
            canon[a.lower()] = c["name"]
        for a in c.get("cs", []):
            cs.append(a)
            canon[a.lower()] = c["name"]

    def alt(words: list[str]) -> str:
        words = sorted(set(words), key=len, reverse=True)   # longest wording first: "Firebase Analytics" before "Firebase"
        return r"(?<![\w.@/-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w@-]|\.\w)"

    return CompanyMatcher(re.compile(alt(ci), re.I), re.compile(alt(cs)), canon)


@cache
def canonical(wording: str) -> str:
    """Canonical company name for a wording found in a policy."""
    kb = _kb_canonical()
    if kb is not None:
        try:
            name = kb(wording)
        except Exception:
            name = None
        if name:
            return name
    return matcher().canonical.get(wording.lower(), wording)


@cache
def company_categories(name: str) -> tuple[str, ...]:
    """Recipient categories of a company, from the recipients knowledge base (none when it does not know it)."""
    try:
        from ..recipients.kb import load_kb

        e = load_kb().entity(name)
    except Exception:  # a broken knowledge base must not stop reading a policy: the company then has no category
        return ()
    return tuple(getattr(e, "categories", ()) or ()) if e is not None else ()


def find_companies(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of every company wording in `text`, in order, overlaps removed."""
    m = matcher()
    hits = [(x.start(), x.end(), x.group(0)) for x in m.regex.finditer(text)]
    hits += [(x.start(), x.end(), x.group(0)) for x in m.regex_cs.finditer(text) if not _verb_use(text, x.start(), x.end())]
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for s, e, w in hits:
        if s >= last_end:
            out.append((s, e, canonical(w)))
            last_end = e
    kb_find = _kb_find()
    if kb_find is not None:   # the recipients knowledge base knows more companies than our table
        try:
            extra = kb_find(text)
        except Exception:
            extra = []
        starts = [s for s, _, _ in out]
        for x in extra:
            i = bisect.bisect_left(starts, x.end)        # our hits starting before x ends; the last may overlap
            if i and out[i - 1][1] > x.start:
                continue
            if x.text.lower() in _COMMON_WORDS and _verb_use(text, x.start, x.end):
                continue
            out.append((x.start, x.end, x.entity))
        out.sort()
    return out


_COMMON_WORDS = {"adjust", "branch", "segment", "singular", "meta", "apple", "samsung", "batch", "amplitude",
                 "stripe", "intercom", "unity", "oracle", "sentry", "x"}


def _verb_use(text: str, i: int, e: int) -> bool:
    """'Adjust your settings' at a sentence start is the verb; '- Adjust (attribution)' in a list is the company."""
    j = i - 1
    while j >= 0 and text[j] in " \t*_-•":
        j -= 1
    initial = j < 0 or text[j] in ".!?\n:"
    return initial and re.match(r"\s+[a-zà-ÿ]", text[e:e + 3]) is not None
