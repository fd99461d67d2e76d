"""Policy lexicons (EN/FR) and the two ontologies, loaded from analyzer/data/policy/ and compiled once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..model import DATA_TYPES

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "policy"
LANGUAGES = ("en", "fr")
_W = r"[\w'’-]"  # a word character, for boundaries that also respect apostrophes and hyphens


def load_data(name: str) -> dict:
    """A JSON data file of analyzer/data/policy/ (lexicons, ontologies, Play labels), parsed."""
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


_LB = r"(?<![\w])"
_RB = r"(?![\w])"


def _bounded(pattern: str, hoisted: bool = False) -> str:
    # Word boundaries, except where the pattern starts/ends with punctuation (";", "n'" must still match) or
    # ends in a lookahead; "n't" is glued to its verb ("don't"), so it needs no left boundary.
    left = "" if hoisted or pattern.startswith(("n't", ";", ",", " ", ".", "'")) else _LB
    right = "" if pattern.endswith(("'", ";", ",", " ", ".")) or "(?=" in pattern else _RB
    return f"{left}(?:{pattern}){right}"


def _needs_left(pattern: str) -> bool:
    return not pattern.startswith(("n't", ";", ",", " ", ".", "'"))


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_bounded(p)})" for p in patterns))


def _tagged(entries: list[tuple[str, str]]) -> re.Pattern[str]:
    """One regex; the group name of a match says which entry matched (first entry wins at a position).
    The word-start check is hoisted in front of the alternation so the engine skips mid-word positions at once."""
    if all(_needs_left(p) for p, _ in entries):
        inner = "|".join(f"(?P<t{i}>{_bounded(p, hoisted=True)})" for i, (p, _) in enumerate(entries))
        return re.compile(f"{_LB}(?:{inner})")
    return re.compile("|".join(f"(?P<t{i}>{_bounded(p)})" for i, (p, _) in enumerate(entries)))


@dataclass(frozen=True)
class DataTerm:
    node: str
    detail: str | None


@dataclass
class Lexicon:
    language: str
    stopwords: frozenset[str]
    actions: re.Pattern[str]            # group "a_<action>" says which
    negation: re.Pattern[str]
    weak_negation: re.Pattern[str] | None  # FR "ne"/"n'": only a negation when not "ne ... que" (= only)
    restrictive: re.Pattern[str] | None
    restriction: re.Pattern[str] | None   # "only", "uniquement": a positive claim that excludes everyone else
    coordination: re.Pattern[str]       # "or", "nor", ",": a verb after one shares the previous verb's polarity
    new_subject: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    conditions: re.Pattern[str]
    conditional_intro: re.Pattern[str]
    anaphora: re.Pattern[str]
    recipient_anaphora: re.Pattern[str]
    heading_statement: re.Pattern[str]   # a heading that is a sentence ("We never sell your data"), not a topic
    topic_heading: re.Pattern[str]
    inner_condition: re.Pattern[str] | None  # ", if you sign in with Google," inside a clause
    ignore: re.Pattern[str] | None       # case-sensitive, on the original text: UI labels such as "Do Not Sell"
    negative_aside: re.Pattern[str] | None  # "(but never any data related to health)" inside a positive claim
    not_negation: re.Pattern[str] | None    # "not limited to": a negation word that denies nothing
    user_subject: re.Pattern[str] | None    # "if you do not", "users who do not": the reader's act, not the app's
    agent_negation: re.Pattern[str] | None  # "cookies ... do not <verb>": the data term is the subject, not the object
    passive: re.Pattern[str] | None         # "is", "sont": before the verb, the term is its object after all
    imperative: re.Pattern[str] | None      # "please do not share your password": advice to the reader
    disclaimer: re.Pattern[str] | None      # liability, control, the reader's wishes, children: not a data practice
    definition: re.Pattern[str] | None      # "'Personal Information' includes ...": carries the previous sentence's claim
    list_cues: re.Pattern[str] | None       # "such as", "notamment": a list of named recipients may follow
    not_company: frozenset[str]             # capitalized words that are no company name
    data_re: re.Pattern[str]
    data_terms: list[DataTerm]
    recipient_re: re.Pattern[str]
    recipient_terms: list[str]

    def data_matches(self, text: str) -> list[tuple[re.Match[str], DataTerm]]:
        return [(m, self.data_terms[int(m.lastgroup[1:])]) for m in self.data_re.finditer(text)]

    def recipient_matches(self, text: str) -> list[tuple[re.Match[str], str]]:
        return [(m, self.recipient_terms[int(m.lastgroup[1:])]) for m in self.recipient_re.finditer(text)]


@cache
def lexicon(language: str) -> Lexicon:
    d = load_data(f"lexicon_{language}.json")
    action_re = re.compile(_LB + "(?:" + "|".join(f"(?P<a_{a}>{'|'.join(_bounded(p, hoisted=True) for p in pats)})"
                                                 for a, pats in d["actions"].items()) + ")")
    data_entries = [(p, node) for p, node, _ in d["data_terms"]]
    rec_entries = [(p, cat) for p, cat in d["recipient_terms"]]
    weak = d.get("weak_negation")
    return Lexicon(
        language=d["language"],
        stopwords=frozenset(d["stopwords"]),
        actions=action_re,
        negation=_alternation(d["negation"]),
        weak_negation=_alternation(weak) if weak else None,
        restrictive=_alternation(d["restrictive"]) if d.get("restrictive") else None,
        restriction=_alternation(d["restriction"]) if d.get("restriction") else None,
        coordination=re.compile("|".join(re.escape(c) if not c[:1].isalpha() else rf"(?<![\w/]){re.escape(c)}(?![\w/])"
                                         for c in d["coordination"])),
        new_subject=_alternation(d["new_subject"]),
        clause_breaks=re.compile("|".join(re.escape(c) for c in d["clause_breaks"])),
        conditions=_alternation(d["conditions"]),
        conditional_intro=re.compile(r"^\s*(?:" + "|".join(d["conditional_intro"]) + r")\b[^,]{0,200},"),
        anaphora=_alternation(d["anaphora"]),
        recipient_anaphora=_alternation(d["recipient_anaphora"]),
        heading_statement=re.compile(r"^[\s\d.)ivx-]*(?:" + "|".join(d["first_person"]) + r")\b"),
        topic_heading=re.compile(r"^[\s\d.)ivx-]*(?:" + "|".join(d["topic_heading"]) + r")\b"),
        inner_condition=re.compile(d["inner_condition"]) if d.get("inner_condition") else None,
        ignore=re.compile("|".join(d["ignore"])) if d.get("ignore") else None,
        negative_aside=re.compile("|".join(d["negative_aside"])) if d.get("negative_aside") else None,
        not_negation=_alternation(d["not_negation"]) if d.get("not_negation") else None,
        user_subject=re.compile(d["user_subject"]) if d.get("user_subject") else None,
        agent_negation=re.compile(d["agent_negation"]) if d.get("agent_negation") else None,
        passive=re.compile(d["passive"]) if d.get("passive") else None,
        imperative=re.compile(d["imperative"]) if d.get("imperative") else None,
        disclaimer=_alternation(d["disclaimer"]) if d.get("disclaimer") else None,
        definition=re.compile(d["definition"]) if d.get("definition") else None,
        list_cues=re.compile(r"(?i)(?<!\w)(?:" + "|".join(d["list_cues"]) + r")\s*:?\s*") if d.get("list_cues") else None,
        not_company=frozenset(d.get("not_company", ())),
        data_re=_tagged(data_entries),
        data_terms=[DataTerm(node, detail) for _, node, detail in d["data_terms"]],
        recipient_re=_tagged(rec_entries),
        recipient_terms=[cat for _, cat in d["recipient_terms"]],
    )


@dataclass(frozen=True)
class DataNode:
    name: str
    parent: str | None
    level: str                 # specific | broad
    ids: frozenset[str]


@cache
def data_ontology() -> dict[str, DataNode]:
    """Node name -> DataNode with its ids expanded ('health_fitness.*' -> the two ids)."""
    out: dict[str, DataNode] = {}
    for name, n in load_data("data_types.json")["nodes"].items():
        ids: set[str] = set()
        for i in n["ids"]:
            if i == "*":
                ids.update(DATA_TYPES)
            elif i.endswith(".*"):
                ids.update(t for t in DATA_TYPES if t.startswith(i[:-1]))
            else:
                ids.add(i)
        out[name] = DataNode(name, n["parent"], n["level"], frozenset(ids))
    out["anonymous"] = DataNode("anonymous", None, "specific", frozenset())  # anonymized data: covers nothing
    return out


@dataclass(frozen=True)
class RecipientCategory:
    name: str
    level: str
    covers: frozenset[str]     # recipient categories of the recipients room; "*" = any
    parties: frozenset[str]    # recipient.party values covered without a category match


@cache
def recipient_ontology() -> dict[str, RecipientCategory]:
    d = load_data("recipients.json")
    parties = {k: v for k, v in d["parties"].items() if not k.startswith("_")}
    return {name: RecipientCategory(name, c["level"], frozenset(c["covers"]), frozenset(parties.get(name, ())))
            for name, c in d["categories"].items()}


@cache
def companies() -> list[dict]:
    return load_data("companies.json")["companies"]
