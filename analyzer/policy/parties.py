"""Who a policy names: its own company (the first party, never a recipient) and every company it names as a
recipient, processor or partner, known to the recipients knowledge base or not ("partners such as Acme Analytics and
Foo Ads", a table of subprocessors), each with its role and the sentence that names it first."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .companies import canonical
from .contacts import EMAIL, registrable
from .lexicon import Lexicon
from .text import Sentence

# the kind of recipient words in a sentence -> the role of the companies it names (first found wins)
ROLE_ORDER = ("service_provider", "advertising", "analytics", "marketing", "affiliate", "law_enforcement", "third_party")
_NAME = re.compile(r"[A-Z0-9][\w&.'’+-]*(?:\s+(?:[A-Z0-9][\w&.'’+-]*|of|de|du|des|for|&))*")
_ITEM_SPLIT = re.compile(r",\s*|;\s*|\s+(?:and|or|et|ou)\s+|\s*/\s*")
_LEGAL = r"(?:,?[ \t]+(?:Inc|Ltd|LLC|GmbH|SAS|SARL|SA|S\.A|AG|Limited|Corp|Corporation|Co|Pte|Pty|BV|B\.V)\.?)*"
_OWN = re.compile(r"([A-Z][\w&.'’-]*(?:[ \t]+[A-Z][\w&.'’-]*){0,4}" + _LEGAL + r")\s*\((?:[^)]{0,80}?)[\"“'‘«]\s*"
                  r"(?i:we|us|our|the company|nous|la société)\s*[\"”'’»]")
_TABLE_HEAD = re.compile(r"(?i)processor|provider|partner|vendor|recipient|third part|sous-traitant|prestataire|"
                         r"partenaire|destinataire")


@dataclass
class Named:
    entity: str
    mentions: int
    role: str
    sentence: str

    def to_dict(self) -> dict:
        return {"entity": self.entity, "mentions": self.mentions, "role": self.role, "sentence": self.sentence}


def own_company(text: str, found: list[tuple[int, int, str]]) -> str | None:
    """The company that wrote the policy: the one it calls "we" ('Acme Inc. ("we", "us")'), else a company named in
    it whose name is the domain of the policy's own e-mail addresses (privacy@reddit.com -> Reddit)."""
    m = _OWN.search(text[:30000])
    if m:
        name = re.sub(_LEGAL + "$", "", m.group(1).strip()).strip(" ,")
        if name and name.lower() not in ("the", "this", "our"):
            return canonical(name)
    names = {n for _, _, n in found}
    domains = Counter(registrable(x.group(1)) for x in EMAIL.finditer(text))
    for d, _ in domains.most_common(2):
        label = (d or "").split(".")[0].replace("-", "")
        for n in names:
            if label and n.lower().replace(" ", "").replace("-", "") == label:
                return n
    return None


def _role(lex: Lexicon, low: str) -> str | None:
    kinds = {c for _, c in lex.recipient_matches(low)}
    return next((r for r in ROLE_ORDER if r in kinds), None)


def _listed(lex: Lexicon, sent: str) -> list[str]:
    """Capitalized names in a list after "such as" / "notamment" in a sentence."""
    out: list[str] = []
    if lex.list_cues is None:
        return out
    for cue in lex.list_cues.finditer(sent):
        tail = re.split(r"[.:)\]]\s|[.:]$|\(", sent[cue.end():], maxsplit=1)[0]
        for item in _ITEM_SPLIT.split(tail):
            item = re.sub(r"^(?:the|les?|la|l')\s+", "", item.strip(" \"'“”«»*"), flags=re.I)
            m = _NAME.fullmatch(item)
            if not m or item.lower() in lex.not_company or all(w.lower() in lex.not_company for w in item.split()) \
                    or lex.data_matches(item.lower()):   # "Activity Data", "Location": data, not a company
                break   # the list ends at its first item that is no name
            out.append(item)
    return out


def _table_names(text: str) -> list[tuple[str, str]]:
    """(name, row) of the first column of Markdown tables whose header speaks of processors or partners."""
    out: list[tuple[str, str]] = []
    head_ok = False
    for line in text.split("\n"):
        s = line.strip()
        if not s.startswith("|"):
            head_ok = False
            continue
        cells = [c.strip(" *") for c in s.strip("|").split("|")]
        if re.fullmatch(r"[\s|:-]+", s):
            continue
        if not head_ok and _TABLE_HEAD.search(s) and not out_row_started(cells):
            head_ok = True
            continue
        if head_ok and cells and _NAME.fullmatch(cells[0] or "-"):
            out.append((cells[0], s))
    return out


def out_row_started(cells: list[str]) -> bool:   # a header row has no sentence-like cells
    return any(len(c.split()) > 8 for c in cells)


def named_parties(lex: Lexicon, text: str, sents: list[Sentence], found: list[tuple[int, int, str]],
                  own: str | None) -> list[dict]:
    """[{entity, mentions, role, sentence}] for every company named, most mentioned first; `own` left out."""
    counts: Counter[str] = Counter(n for _, _, n in found)
    first: dict[str, tuple[str, str]] = {}   # entity -> (role, sentence)
    starts = [s.start for s in sents]
    import bisect

    for s0, _, n in found:
        if n in first:
            continue
        i = bisect.bisect_right(starts, s0) - 1
        sent = sents[i].text if i >= 0 and sents[i].end >= s0 else ""
        first[n] = (_role(lex, sent.lower()) or "named", sent)
    for s in sents:
        if lex.list_cues is None or lex.list_cues.search(s.text) is None:
            continue   # (cheap test first: most sentences hold no list)
        role = _role(lex, s.text.lower())
        if role is None:
            continue   # names listed in a sentence about no recipient are not recipients
        for name in _listed(lex, s.text):
            n = canonical(name)
            if n in first:
                continue
            counts[n] += 1
            first[n] = (role, s.text)
    for name, row in _table_names(text):
        n = canonical(name)
        if n not in first:
            counts[n] += 1
            first[n] = ("service_provider", row)
    out = [Named(n, counts[n], first[n][0], first[n][1]) for n in counts if n != own and n in first]
    out.sort(key=lambda x: (-x.mentions, x.entity))
    return [x.to_dict() for x in out]
