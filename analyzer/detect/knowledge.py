"""Loads the detector's data files (analyzer/data/detect/) once per process."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import compact, fold

DATA_TYPE_OF = {"health": "health_fitness.health", "fitness": "health_fitness.fitness"}
STRONG, WEAK, CONTEXT, IGNORE = 0, 1, 2, 3
_STRENGTH = {"strong": STRONG, "weak": WEAK, "context": CONTEXT, "ignore": IGNORE}


_DATA = Path(__file__).resolve().parent.parent / "data" / "detect"


def _read(name: str) -> str:
    return (_DATA / name).read_text(encoding="utf-8")


def _csv_rows(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in _read(name).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@dataclass(frozen=True, slots=True)
class Term:
    data_type: str
    details: str
    strength: int


@dataclass(frozen=True, slots=True)
class LexiconData:
    terms: dict[str, Term]          # folded phrase ("period start") -> Term
    verbs: frozenset[str]
    qualifiers: frozenset[str]
    stopwords: frozenset[str]
    max_words: int


@lru_cache(maxsize=1)
def lexicon_data() -> LexiconData:
    from .text import tokens
    stop = frozenset(fold(r["term"]) for r in _csv_rows("stopwords.csv"))
    terms: dict[str, Term] = {}
    for name in ("lexicon_en.csv", "lexicon_fr.csv"):
        for row in _csv_rows(name):
            key = " ".join(w for w in tokens(row["term"]) if w not in stop)
            t = Term(DATA_TYPE_OF.get(row["data_type"], ""), row["details"], _STRENGTH[row["strength"]])
            old = terms.get(key)
            if old is None or t.strength < old.strength:
                terms[key] = t
    for row in _csv_rows("medications.csv"):
        key = " ".join(tokens(row["term"]))
        terms.setdefault(key, Term("health_fitness.health", "medication", STRONG))
    verbs = frozenset(" ".join(tokens(r["term"])) for r in _csv_rows("verbs.csv"))
    quals = frozenset(fold(r["term"]) for r in _csv_rows("qualifiers.csv"))
    max_words = max(len(k.split()) for k in terms)
    return LexiconData(terms, verbs, quals, stop, max_words)


@lru_cache(maxsize=1)
def details_table() -> dict[str, str]:
    """details -> data type (documentation table; tests check the detector emits only these)."""
    return {r["details"]: r["data_type"] for r in _csv_rows("details.csv")}


@lru_cache(maxsize=1)
def keys() -> dict[str, Any]:
    raw = json.loads(_read("keys.json"))
    out: dict[str, Any] = {"identifiers": {compact(k): [tuple(x) for x in v] for k, v in raw["identifiers"].items()}}
    out["path_id_collections"] = {compact(k): v for k, v in raw.get("path_id_collections", {}).items()}
    for k, v in raw.items():
        if k.startswith("_") or k in ("identifiers", "path_id_collections"):
            continue
        out[k] = frozenset(compact(x) if k not in ("gender_values", "two_digit_country_codes") else x.lower() for x in v)
    return out


@lru_cache(maxsize=1)
def guards() -> dict[str, frozenset[str]]:
    raw = json.loads(_read("guards.json"))
    out: dict[str, frozenset[str]] = {}
    for k, v in raw.items():
        if k.startswith("_"):
            continue
        if k in ("static_extensions", "skip_headers", "null_values", "content_path_segments"):
            out[k] = frozenset(x.lower() for x in v)
        elif k in ("config_tokens", "commerce_tokens", "content_last_tokens"):
            out[k] = frozenset(fold(x) for x in v)
        else:
            out[k] = frozenset(compact(x) for x in v)
    return out


@lru_cache(maxsize=1)
def adapters_raw() -> list[dict[str, Any]]:
    return json.loads(_read("adapters.json"))["adapters"]
