"""Confront each third-party data flow with the policy's claims and the Data-safety form.

Definitions (with examples) in analyzer/data/policy/CONSISTENCY.md. In short, each claim that speaks of the flow's
data type and recipient is scored for how precisely it does so: data +1 when it names the data type (a Data-safety type
or group, e.g. "health data", "advertising ID") rather than a broad term ("personal data"); recipient +1 when it names the
company or a kind of recipient covering it ("advertising partners") rather than "third parties" / "partners".
The most precise statement governs (data precision first, then recipient precision: score = 2*data + recipient):
allows only -> clear (both precise) or vague; denials only -> incorrect; both -> whichever is more precise,
ambiguous on a tie; nothing -> omitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..model import DataFlow, PolicyEvidence, Recipient
from .claim import Claim
from .claims import IMPLICIT, SHARING, detail_nodes, mentions, normalize, restricted
from .companies import company_categories
from .data_safety import DataSafety
from .lexicon import data_ontology, lexicon, recipient_ontology

ASSESSED_PARTIES = ("third", "unknown", "service_provider")
MAX_EVIDENCE = 2   # the one or two sentences that decide a flow: the broken promise first


def data_score(details: Iterable[str], data_type: str) -> int | None:
    """1: a specific term covers the type; 0: only a broad one; None: not covered."""
    onto, nodes = data_ontology(), detail_nodes()
    best: int | None = None
    for d in details:
        node = onto.get(nodes.get(d, IMPLICIT))
        if node is not None and data_type in node.ids:
            s = 1 if node.level == "specific" else 0
            best = s if best is None else max(best, s)
    return best


def recipient_score(recipients: Iterable[str], r: Recipient) -> int | None:
    """1: the company or a kind of recipient that covers it; 0: only 'third parties'; None: not covered."""
    onto = recipient_ontology()
    cats = set(r.categories) or set(company_categories(r.entity or ""))
    best: int | None = None
    for name in recipients:
        cat = onto.get(name)
        s: int | None = None
        if cat is None:                                    # a company name
            if r.entity and name.lower() == r.entity.lower():
                s = 1
        elif "*" in cat.covers:
            if r.party in cat.parties:
                s = 0
        elif cats & cat.covers or r.party in cat.parties:
            s = 1
        if s is not None:
            best = s if best is None else max(best, s)
    return best


@dataclass
class _Scored:
    score: int
    claim: Claim
    role: str                    # allow | deny | qualified | related


def _condition_outcome(claim: Claim, r: Recipient, language: str) -> tuple[str, int | None]:
    """How a negative claim's exceptions bear on this recipient: ('covers', score) | ('excludes', None) |
    ('generic', None) (consent, 'as described': qualifies the promise without saying to whom) | ('none', None)."""
    if not claim.conditions:
        return "none", None
    lex = lexicon(language)
    generic = False
    specific_seen = False
    best: int | None = None
    for text in claim.conditions:
        m = mentions(lex, normalize(text), text)
        if m.details == ["anonymized"]:
            specific_seen = True          # "except in anonymized form": personal data is still denied
            continue
        if m.recipients:
            specific_seen = True
            s = recipient_score(m.recipients, r)
            if s is not None:
                best = s if best is None else max(best, s)
        else:
            generic = True
    if best is not None:
        return "covers", best
    if generic:
        return "generic", None
    return ("excludes", None) if specific_seen else ("none", None)


def assess_flow(df: DataFlow, policy: dict[str, Any],
                claims: list[Claim] | None = None) -> tuple[str, list[PolicyEvidence]]:
    """(consistency, evidence sentences) of one data flow against an hpa.policy/1 dict (`claims`: its claims,
    already typed, when the caller assesses many flows)."""
    language = policy.get("language") or "en"
    scored: list[_Scored] = []
    if claims is None:
        claims = [Claim.from_dict(d) for d in policy.get("claims", [])]
    for c in claims:
        ds = data_score(c.details or [IMPLICIT], df.data_type)
        if ds is None:
            continue
        explicit = bool(c.recipients)
        action, negative = c.action, c.negative
        if not negative and action in SHARING and restricted(c, language):
            # "we only share your data with service providers": allows those, excludes everyone else
            rs = recipient_score(c.recipients, df.recipient)
            scored.append(_Scored(2 * ds + (rs or 0), c, "allow" if rs is not None else "deny"))
            continue
        if not explicit:
            # Without a recipient, a positive sentence discloses nothing about third parties ("we send you
            # reminders", "who we share it with"); a denial still speaks of everyone: "we never share your health
            # data", and "we do not collect X" (what an SDK in the app sends is collected by the app, in Play's
            # and the GDPR's reading).
            if not negative or action not in SHARING + ("collect",):
                continue
        rs = recipient_score(c.recipients or ["third_party"], df.recipient)
        if rs is None:
            continue
        score = 2 * ds + rs      # data precision first, then recipient precision
        if not negative:
            scored.append(_Scored(score, c, "allow"))
            continue
        if action == "sell" or (action == "transfer" and not explicit) or action in ("use", "retain") and not explicit:
            scored.append(_Scored(score, c, "related"))   # "we never sell": not broken by sharing we can see
            continue
        outcome, cs = _condition_outcome(c, df.recipient, language)
        if outcome == "covers":
            scored.append(_Scored(2 * ds + (cs or 0), c, "allow"))       # "... except with service providers"
        elif outcome == "generic":
            scored.append(_Scored(score, c, "qualified"))             # "... without your consent"
        else:
            scored.append(_Scored(score, c, "deny"))
    allows = [s.score for s in scored if s.role in ("allow", "qualified")]
    denies = [s.score for s in scored if s.role in ("deny", "qualified")]
    a = max(allows) if allows else None
    d = max(denies) if denies else None
    if a is None and d is None:
        verdict = "omitted"
    elif d is None or (a is not None and a > d):
        verdict = "clear" if a == 3 else "vague"
    elif a is None or d > a:
        verdict = "incorrect"
    else:
        verdict = "ambiguous"
    order = {"deny": 0, "qualified": 1, "allow": 2, "related": 3}
    if verdict in ("clear", "vague"):
        order = {"allow": 0, "qualified": 1, "deny": 2, "related": 3}
    evidence: list[PolicyEvidence] = []
    seen: set[tuple] = set()
    for s in sorted(scored, key=lambda s: (order[s.role], -s.score)):
        key = (s.claim.span, s.claim.sentence)
        if key in seen or (s.role == "related" and verdict not in ("omitted",) and len(evidence) >= 3):
            continue
        seen.add(key)
        evidence.append(PolicyEvidence(sentence=s.claim.sentence, span=s.claim.span, polarity=s.claim.polarity,
                                       action=s.claim.action))
        if len(evidence) >= MAX_EVIDENCE:
            break
    return verdict, evidence


def assess_data_flows(data_flows: list[DataFlow], policy: dict[str, Any] | None,
                      data_safety: DataSafety | None) -> None:
    """Set consistency + policy_evidence (when a policy is given) and data_safety (when a form is given) on each
    data flow to a third party, service provider or unknown recipient; first-party flows are left alone."""
    claims = [Claim.from_dict(d) for d in policy.get("claims", [])] if policy is not None else []
    for df in data_flows:
        if df.recipient.party not in ASSESSED_PARTIES:
            continue
        if policy is not None:
            df.consistency, df.policy_evidence = assess_flow(df, policy, claims)
        if data_safety is not None:
            df.data_safety = data_safety.declaration(df.data_type, df.recipient.party)
