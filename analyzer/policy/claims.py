"""Claims of a policy: rule-based sentence analysis over the EN/FR lexicons.

For each clause: action verbs (collect, use, share, sell, transfer, retain), their polarity (negation cue between the
clause start or the previous verb and this verb; coordinated verbs inherit it: "we do not sell or rent"), the data
terms and recipients of the clause, and the exception / condition text ("except with service providers", "sauf
consentement"), which is kept apart so a recipient named in an exception does not become a recipient of the claim.
Context fills what a clause leaves implicit: a pronoun refers back to the last specific data mentioned in the section,
a heading gives its paragraphs a subject, and a list item inherits the claim of the sentence that introduced the list.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache

from .claim import Claim
from .companies import find_companies
from .lexicon import LANGUAGES, DataTerm, Lexicon, data_ontology, lexicon
from .text import Block, Sentence

ACTIONS = ("collect", "use", "share", "sell", "transfer", "retain")
SHARING = ("share", "sell", "transfer")
IMPLICIT = "personal_data"


def normalize(s: str) -> str:
    """Lower-case with typographic apostrophes straightened; keeps the length so offsets stay valid."""
    low = s.lower()
    if len(low) != len(s):   # rare characters whose lower case is longer ("İ"): map one by one
        low = "".join(c.lower()[:1] or c for c in s)
    return low.replace("’", "'").replace("‘", "'").replace("ʼ", "'")


@cache
def detail_nodes() -> dict[str, str]:
    """Claim detail -> ontology node (the same for both languages)."""
    out: dict[str, str] = {n: n for n in data_ontology()}
    for lang in LANGUAGES:
        for t in lexicon(lang).data_terms:
            d = _detail(t)
            if d != t.node:
                out.setdefault(d, t.node)
    return out


def _detail(t: DataTerm) -> str:
    if t.detail == "fallback":
        return IMPLICIT
    return t.detail or t.node


@dataclass
class Mentions:
    """What a piece of text mentions: data details (specific ones, and generic 'data'), recipients, anaphora."""
    details: list[str] = field(default_factory=list)
    generic: bool = False
    recipients: list[str] = field(default_factory=list)
    anaphora: bool = False
    recipient_anaphora: bool = False

    @property
    def specific(self) -> bool:
        return bool(self.details)


def _uniq(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


def mentions(lex: Lexicon, low: str, orig: str, companies: list[str] | None = None,
             data: list[tuple[re.Match[str], DataTerm]] | None = None) -> Mentions:
    """What `low` (normalized `orig`) mentions; `companies` / `data` when the caller already found them."""
    m = Mentions()
    for _, t in (lex.data_matches(low) if data is None else data):
        if t.detail == "fallback":
            m.generic = True
        else:
            m.details.append(_detail(t))
    m.details = _uniq(m.details)
    if companies is None:
        companies = [name for _, _, name in find_companies(orig)]
    m.recipients = _uniq([cat for _, cat in lex.recipient_matches(low)] + companies)
    # "third parties" adds nothing when a narrower kind or a company is named in the same breath
    if len(m.recipients) > 1 and "third_party" in m.recipients:
        m.recipients.remove("third_party")
    m.anaphora = lex.anaphora.search(low) is not None
    m.recipient_anaphora = lex.recipient_anaphora.search(low) is not None
    return m


def data_types_of(details: list[str]) -> list[str]:
    onto = data_ontology()
    nodes = detail_nodes()
    ids: set[str] = set()
    for d in details:
        ids |= onto[nodes.get(d, IMPLICIT)].ids
    from ..model import DATA_TYPES
    return [t for t in DATA_TYPES if t in ids]


@dataclass
class _Ctx:
    heading: Mentions | None = None          # mentions of the nearest heading (with specific data or recipients)
    heading_claims: list[Claim] = field(default_factory=list)
    last_details: list[str] = field(default_factory=list)   # last specific data in this section, for pronouns
    last_recipients: list[str] = field(default_factory=list)  # last recipients named, for "these services"
    list_claims: list[Claim] = field(default_factory=list)   # claims of the sentence introducing the current list
    found: list[tuple[int, int, str]] | None = None          # companies of the whole text, found once
    prev_claims: list[Claim] = field(default_factory=list)    # claims of the previous sentence, for definitions

    def companies(self, start: int, end: int, orig: str, exclude: list[tuple[int, int]] = ()) -> list[str]:
        """Companies named between start and end (offsets in the text), outside the `exclude` spans."""
        if self.found is None:
            return [n for s, e, n in find_companies(orig)
                    if not any(a <= s + start < b for a, b in exclude)]
        i = bisect.bisect_left(self.found, (start, -1, ""))
        out = []
        while i < len(self.found) and self.found[i][0] < end:
            s, e, n = self.found[i]
            if e <= end and not any(a <= s < b for a, b in exclude):
                out.append(n)
            i += 1
        return out


def _clauses(lex: Lexicon, low: str) -> list[tuple[int, int]]:
    out, cur = [], 0
    for m in lex.clause_breaks.finditer(low):
        if m.start() > cur:
            out.append((cur, m.start()))
        cur = m.end()
    if cur < len(low):
        out.append((cur, len(low)))
    return out


def _polarity(lex: Lexicon, window: str, clause_after: str) -> tuple[bool, int | None]:
    """(negated, offset in clause_after where an "only" restriction starts, or None)."""
    if lex.negation.search(window):
        return True, None
    if lex.weak_negation is not None and lex.weak_negation.search(window):
        # FR "ne ... que" means "only": "nous ne partageons vos données qu'avec nos prestataires" is positive
        m = lex.restrictive.search(clause_after) if lex.restrictive is not None else None
        if m and not lex.negation.search(clause_after):
            return False, m.start()
        return True, None
    return False, None


def _blank(text: str, rx: re.Pattern[str] | None) -> str:
    """`text` with the matches of `rx` replaced by spaces (offsets kept)."""
    if rx is None:
        return text
    return rx.sub(lambda m: " " * (m.end() - m.start()), text)


def _not_a_practice(lex: Lexicon, clause: str, main_start: int, main_end: int, gap_start: int, gap: str) -> bool:
    """A negation that is no promise of the app: advice or a condition on the reader ("please do not share your
    password", "if you do not agree"), or a disclaimer (liability, control, children)."""
    m = lex.negation.search(gap) or (lex.weak_negation.search(gap) if lex.weak_negation is not None else None)
    if m is None:
        return False
    before = clause[max(main_start, gap_start - 60):gap_start + m.start()]
    # the subject nearest the negation: "we ... if you do not" -> the reader; "you agree that we will not" -> us
    subject = re.split(r"\b(?:we|nous|our company|the company)\b", before)[-1]
    if lex.user_subject is not None and lex.user_subject.search(subject):
        return True
    if lex.imperative is not None and lex.imperative.match(clause, main_start) is not None:
        return True
    # the whole clause: "to not use your information for any purpose other than ..." has its limit in the condition
    return lex.disclaimer is not None and lex.disclaimer.search(clause) is not None


def _agents(lex: Lexicon, clause: str, data: list[tuple[re.Match[str], DataTerm]],
            verbs: list[tuple[int, int, str]], vs: int) -> list[tuple[re.Match[str], DataTerm]]:
    """Data terms that are the subject of the negated verb at `vs`, not what it denies: the verb is the first after
    the term, active ("the cookies from our site do not collect PII"), with no other subject in between."""
    if lex.agent_negation is None:
        return []
    out = []
    for m, t in data:
        if m.end() > vs or any(m.end() <= s < vs for s, _, _ in verbs):
            continue
        gap = clause[m.end():vs]
        if lex.agent_negation.search(gap) and not (lex.passive is not None and lex.passive.search(gap)) \
                and not lex.new_subject.search(gap):
            out.append((m, t))
    return out


def denies(lex: Lexicon, low: str) -> bool | None:
    """For a verb-less piece: True when it carries a negation of the app's practice, None when its negation is advice
    or a disclaimer (no claim at all), False when it has none."""
    neg = lex.negation.search(low) is not None or (lex.weak_negation is not None and lex.weak_negation.search(low) is not None)
    if not neg:
        return False
    return None if _not_a_practice(lex, low, 0, len(low), 0, low) else True


def clause_claims(lex: Lexicon, sent: Sentence, low: str, ctx: _Ctx) -> list[Claim]:
    """Claims of one sentence (several clauses, several verbs)."""
    claims: list[Claim] = []
    orig = sent.text
    if lex.ignore is not None:   # "Settings > Do Not Sell or Share" is a link label, not a promise
        for m in lex.ignore.finditer(orig):
            low = low[:m.start()] + " " * (m.end() - m.start()) + low[m.end():]
    low = _blank(low, lex.not_negation)   # "including but not limited to" denies nothing
    for cs, ce in _clauses(lex, low):
        clause = low[cs:ce]
        main_start = 0
        conditions: list[str] = []
        cond_spans: list[tuple[int, int]] = []   # in sentence offsets
        intro = lex.conditional_intro.match(clause)
        if intro and lex.user_subject is not None and lex.user_subject.search(clause, 0, intro.end()) \
                and (lex.negation.search(clause, intro.end()) or (lex.weak_negation is not None
                                                                   and lex.weak_negation.search(clause, intro.end()))):
            continue   # "if you turn it off, we will not collect X": an opt-out, not a denial
        if intro:
            conditions.append(orig[cs:cs + intro.end()].strip(" ,"))
            cond_spans.append((cs, cs + intro.end()))
            main_start = intro.end()
        if lex.inner_condition is not None:   # "..., if you sign in with Google, ...": a condition, not the object
            # (first: a trailing condition must not swallow the object that follows an inner one)
            for m in lex.inner_condition.finditer(clause, main_start):
                conditions.append(orig[cs + m.start():cs + m.end()].strip(" ,"))
                cond_spans.append((cs + m.start(), cs + m.end()))
                clause = clause[:m.start()] + " " * (m.end() - m.start()) + clause[m.end():]
        cond = lex.conditions.search(clause, main_start)
        if cond and not clause[main_start:cond.start()].strip(" ,") and "," in clause[cond.end():]:
            # "With your consent, we may collect your precise location": a leading condition, up to its comma
            comma = clause.index(",", cond.end())
            conditions.append(orig[cs + cond.start():cs + comma].strip(" ,"))
            cond_spans.append((cs + cond.start(), cs + comma))
            main_start = comma + 1
            cond = lex.conditions.search(clause, main_start)
        main_end = len(clause)
        if cond:
            main_end = cond.start()
            conditions.append(orig[cs + cond.start():ce].strip(" ,.;"))
            cond_spans.append((cs + cond.start(), ce))
        # "some Personal Data (but never any data related to health)": the aside is a denial of its own, made below
        asides: list[tuple[str, str]] = []
        if lex.negative_aside is not None:
            for m in lex.negative_aside.finditer(clause, main_start, main_end):
                asides.append((clause[m.start():m.end()], orig[cs + m.start():cs + m.end()]))
                clause = clause[:m.start()] + " " * (m.end() - m.start()) + clause[m.end():]
        # a verb inside a data term is part of the term ("how you use the app", "recorded workouts")
        data = lex.data_matches(clause)
        taken = [(m.start(), m.end()) for m, _ in data]
        verbs = [(m.start(), m.end(), m.lastgroup[2:]) for m in lex.actions.finditer(clause, main_start, main_end)
                 if not any(s <= m.start() < e for s, e in taken)]
        if not verbs:
            named = ctx.companies(sent.start + cs, sent.start + ce, orig[cs:ce]) + [c for _, c in lex.recipient_matches(clause)]
            own = mentions(lex, clause, orig[cs:ce], named) if claims else None
            if own is not None and own.details:
                # "..., but never your health data": a clause without a verb carries on the previous one's action
                claims.extend(_inherit(lex, claims, clause, own, sent))
            elif named:   # "Our app includes the Flurry SDK." -> "These companies receive ..."
                ctx.last_recipients = _uniq(named)
            continue
        main_low, main_orig = clause[main_start:main_end], orig[cs + main_start:cs + main_end]
        main_data = [(m, t) for m, t in data if m.start() >= main_start and m.end() <= main_end]
        men = mentions(lex, main_low, main_orig,
                       ctx.companies(sent.start + cs + main_start, sent.start + cs + main_end, main_orig,
                                     [(sent.start + a, sent.start + b) for a, b in cond_spans]), main_data)
        details = _resolve_details(men, ctx)
        if men.details:
            ctx.last_details = men.details
        recipients = list(men.recipients)
        if not recipients and men.recipient_anaphora:
            recipients = list(ctx.last_recipients)
        if men.recipients:
            ctx.last_recipients = list(men.recipients)
        cond_recipients: list[str] = []
        if conditions and not recipients:
            for a, b in cond_spans:   # kinds only ("where required by law"), not "if you sign in with Google"
                cond_recipients += [c for _, c in lex.recipient_matches(low[a:b])]
        prev_end, prev_neg, prev_advice = main_start, None, False
        seen: set[tuple[str, bool]] = set()
        restriction = lex.restriction.search(clause, main_start, main_end) if lex.restriction is not None else None
        for vs, ve, action in verbs:
            gap = clause[prev_end:vs]
            neg, only_at = _polarity(lex, gap, clause[ve:main_end])
            only_text = None
            if only_at is not None:
                only_text = orig[cs + ve + only_at:cs + main_end].strip(" ,.;")
            elif restriction is not None and not neg:
                only_text = orig[cs + restriction.start():cs + main_end].strip(" ,.;")
            if not neg and prev_neg is not None and lex.new_subject.search(gap) is None \
                    and lex.coordination.search(gap):
                neg = prev_neg   # "we do not sell or rent", "ne vendons ni ne louons"
            if neg and neg is prev_neg and prev_advice and lex.negation.search(gap) is None:
                advice = True    # "we cannot be responsible for X, or any information provided to them"
            else:
                advice = neg and _not_a_practice(lex, clause, main_start, main_end, prev_end, gap)
            prev_end, prev_neg, prev_advice = ve, neg, advice
            if advice:
                continue
            if (action, neg) in seen:
                continue
            denied = details
            agents = _agents(lex, clause, main_data, verbs, vs) if neg else []
            if agents:
                rest = mentions(lex, main_low, main_orig, [], [d for d in main_data if d not in agents])
                if not (rest.details or rest.generic):
                    continue      # the denial is about what the term does, and names no data of its own
                denied = rest.details or [IMPLICIT]
            seen.add((action, neg))
            recs = recipients
            if not recs and not neg:
                recs = _uniq(cond_recipients)   # "we disclose information where required by law"
            if not recs and action in SHARING and ctx.heading is not None:
                recs = list(ctx.heading.recipients)
            claims.append(Claim(action=action, polarity="negative" if neg else "positive",
                                data_types=data_types_of(denied), details=denied, recipients=recs,
                                conditions=([only_text] if only_text else []) + list(conditions),
                                sentence=sent.text, span=(sent.start, sent.end)))
        for low_aside, orig_aside in asides:
            am = mentions(lex, low_aside, orig_aside)
            if am.details:
                clause_pos = [c for c in claims if not c.negative]
                claims.extend(_inherit(lex, clause_pos, low_aside, am, sent, negated=True))
    return claims


def _defines(lex: Lexicon, low: str, prev: list[Claim]) -> bool:
    """A sentence that defines the broad term of the previous sentence's claims."""
    if not prev or lex.definition is None or lex.definition.match(low) is None:
        return False
    onto, nodes = data_ontology(), detail_nodes()
    return all(onto[nodes.get(d, IMPLICIT)].level == "broad" for c in prev for d in c.details)


def _inherit(lex: Lexicon, prev: list[Claim], low: str, men: Mentions, sent: Sentence,
             negated: bool | None = None) -> list[Claim]:
    """Claims of a verb-less piece of a sentence: the previous claims' actions (one per action), applied to the data
    it names; negated when it carries a negation of its own ("but never your health data")."""
    if negated is None:
        negated = denies(lex, low)
        if negated is None:
            return []
    out: list[Claim] = []
    seen: set[str] = set()
    for c in prev:
        if c.action in seen:
            continue
        seen.add(c.action)
        pol = ("positive" if c.negative else "negative") if negated else c.polarity
        if pol == c.polarity and c.details == [IMPLICIT]:
            # the previous clause named no data: this piece is its object ("We collect your e.g. email.")
            c.details, c.data_types = list(men.details), data_types_of(men.details)
            continue
        out.append(c.but(polarity=pol, details=list(men.details), data_types=data_types_of(men.details),
                         recipients=list(men.recipients or c.recipients), conditions=[],
                         sentence=sent.text, span=(sent.start, sent.end)))
    return out


def _resolve_details(men: Mentions, ctx: _Ctx) -> list[str]:
    if men.details:
        return men.details
    if men.anaphora and ctx.last_details:
        return list(ctx.last_details)
    if ctx.heading is not None and ctx.heading.details:
        return list(ctx.heading.details)
    return [IMPLICIT]


def _item_claims(lex: Lexicon, sent: Sentence, low: str, ctx: _Ctx, intro: list[Claim]) -> list[Claim]:
    """A list item without a verb of its own: the introducing sentence's claim applied to what the item names."""
    men = mentions(lex, low, sent.text, ctx.companies(sent.start, sent.end, sent.text))
    if not men.details and not men.recipients:
        return []
    # "- No advertising SDKs" / "Aucun traceur publicitaire": the item denies what the intro announced
    negated = denies(lex, _blank(low, lex.not_negation))
    if negated is None:
        return []
    out = []
    for c in intro:
        recipients = men.recipients or c.recipients
        details = men.details or c.details
        polarity = ("positive" if c.negative else "negative") if negated else c.polarity
        out.append(c.but(polarity=polarity, data_types=data_types_of(details), details=list(details),
                         recipients=list(recipients), sentence=sent.text, span=(sent.start, sent.end)))
    return out


def extract_claims(lex: Lexicon, blocks: list[Block], sents: list[Sentence],
                   companies: list[tuple[int, int, str]] | None = None) -> list[Claim]:
    """Claims of a segmented policy; `companies`: find_companies() of the whole text, when already computed."""
    by_block: dict[int, list[Sentence]] = {}
    for s in sents:
        by_block.setdefault(s.block, []).append(s)
    ctx = _Ctx(found=sorted(companies) if companies is not None else None)
    claims: list[Claim] = []
    list_recipients: list[str] = []   # every recipient named by the items of the current list
    for bi, b in enumerate(blocks):
        if b.kind == "heading":
            hl = normalize(b.text)
            men = mentions(lex, hl, b.text, ctx.companies(b.start, b.end, b.text))
            ctx.heading = men if (men.details or men.recipients) else None
            ctx.last_details = []
            ctx.last_recipients = []
            ctx.list_claims = []
            # a heading such as "Our partners" or "Who we share data with" introduces the list below it
            hs = Sentence(b.start, b.end, b.text, bi)
            hclaims = clause_claims(lex, hs, hl, _Ctx(found=ctx.found))
            # a heading can itself be a promise ("We never sell your data"), unlike a topic ("Selling of data",
            # "What we collect", "Les données que nous collectons")
            statement = lex.heading_statement.match(hl) or lex.negation.search(hl) or (
                lex.weak_negation is not None and lex.weak_negation.search(hl))
            if statement and not lex.topic_heading.match(hl):
                claims.extend(hclaims)
            if not hclaims and men.recipients:
                hclaims = [Claim(action="share", polarity="positive", data_types=data_types_of([IMPLICIT]),
                                 details=[IMPLICIT], recipients=list(men.recipients), sentence=b.text,
                                 span=(b.start, b.end))]
            ctx.heading_claims = hclaims
            ctx.prev_claims = []
            list_recipients = []
            continue
        block_claims: list[Claim] = []
        for s in by_block.get(bi, []):
            low = normalize(s.text)
            if _defines(lex, low, ctx.prev_claims):
                # "We do not collect Personal Information. 'Personal Information' is information that ... It includes
                # your name, e-mail ...": a definition carries the previous sentence's claim, and its negation; the
                # verbs of its relative clauses are no claims
                men = mentions(lex, low, s.text, ctx.companies(s.start, s.end, s.text))
                got = _inherit(lex, ctx.prev_claims, low, men, s, negated=False) if men.details else []
            elif low.rstrip(" \"'»”)").endswith("?"):
                got = []   # "Who do we share your data with?": a question announces a topic, it claims nothing
            else:
                got = clause_claims(lex, s, low, ctx)
                if got:   # a sentence without claims (a broken line, a remark) does not end what the last one said
                    ctx.prev_claims = got
            if b.kind == "item":
                intro = ctx.list_claims or ctx.heading_claims
                if not got and intro:
                    got = _item_claims(lex, s, low, ctx, intro)
                elif got and intro:
                    for c in got:   # an item's own verb, with the intro's data or recipients where it names none
                        if c.details == [IMPLICIT]:
                            c.details = list(intro[0].details)
                            c.data_types = data_types_of(c.details)
                        if not c.recipients:
                            c.recipients = list(intro[0].recipients)
            elif not got and ctx.heading_claims and b.kind == "paragraph":
                # a verb-less paragraph under a topic heading ("What we collect" / "Your email address.")
                got = _item_claims(lex, s, low, ctx, ctx.heading_claims)
            block_claims.append(got)
            claims.extend(got)
            if b.kind == "item":
                list_recipients += [r for c in got for r in c.recipients if r not in list_recipients]
        if b.kind == "item":
            ctx.last_recipients = list(list_recipients)   # "these companies" after a list means all of them
        else:
            list_recipients = []
        if b.kind == "paragraph":
            ctx.list_claims = block_claims[-1] if (b.intro and block_claims and block_claims[-1]) else []
    return claims


def restricted(claim: Claim, language: str) -> bool:
    """A condition that starts with "only" / "uniquement" / FR "qu'avec" (from "ne ... que")."""
    lex = lexicon(language if language in LANGUAGES else "en")
    for text in claim.conditions:
        low = normalize(text)
        for rx in (lex.restriction, lex.restrictive):
            m = rx.search(low) if rx is not None else None
            if m is not None and m.start() == 0:
                return True
    return False
