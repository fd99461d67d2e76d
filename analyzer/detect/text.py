"""Text helpers shared by the detectors: key compaction, tokenization, field-location parsing.

Everything here is a pure function of a string, so results are cached: keys, locations and event names
repeat across flows, and the detector must keep up with >= 10,000 flows/s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CACHE_MAX = 200_000

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPLIT = re.compile(r"[^0-9A-Za-z]+")
# camelCase and HTTPServer boundaries; digits stay glued to their word (spo2, phq9, gad7).
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z]{2,}(?:[^a-z]|$))")
_TRANSFORM = re.compile(r"\|[A-Za-z0-9_]+")
_INDEX = re.compile(r"\[\d*\]")
# container words the decoder puts right after "body"
_ENCODINGS = frozenset({"form", "json", "multipart", "protobuf", "ndjson", "envelope", "xml", "text", "jsonl",
                        "msgpack", "cbor"})

_compact_cache: dict[str, str] = {}
_fold_cache: dict[str, str] = {}
_token_cache: dict[str, tuple[str, ...]] = {}
_loc_cache: dict[str, "Loc"] = {}


def _bounded(cache: dict) -> None:
    if len(cache) > _CACHE_MAX:
        cache.clear()


def fold(text: str) -> str:
    """Lower case without accents: 'Règles' -> 'regles', 'anxiété' -> 'anxiete'."""
    r = _fold_cache.get(text)
    if r is None:
        _bounded(_fold_cache)
        r = text.lower()
        if not r.isascii():
            r = "".join(c for c in unicodedata.normalize("NFKD", r) if not unicodedata.combining(c))
            r = r.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
        _fold_cache[text] = r
    return r


def compact(key: str) -> str:
    """A key reduced to lower-case letters and digits: 'gps_adid' -> 'gpsadid', '$device_id' -> 'deviceid'."""
    r = _compact_cache.get(key)
    if r is None:
        _bounded(_compact_cache)
        r = _NON_ALNUM.sub("", fold(key))
        _compact_cache[key] = r
    return r


def tokens(text: str) -> tuple[str, ...]:
    """Words of a key, value or event name: split on camelCase, snake_case, kebab-case, dots, spaces and
    apostrophes (l'ovulation -> l, ovulation); lower case, accents folded."""
    r = _token_cache.get(text)
    if r is None:
        if len(text) > 256:
            return _tokens(text)
        _bounded(_token_cache)
        r = _tokens(text)
        _token_cache[text] = r
    return r


def _tokens(text: str) -> tuple[str, ...]:
    t = text if text.isascii() else _unaccent(text)
    out: list[str] = []
    for chunk in _SPLIT.split(t):
        if not chunk:
            continue
        if chunk.islower() or chunk.isupper() or chunk.isdigit():
            out.append(chunk.lower())
        else:
            out.extend(p.lower() for p in _CAMEL.split(chunk) if p)
    return tuple(out)


def _unaccent(text: str) -> str:
    t = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return t.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")


@dataclass(frozen=True, slots=True)
class Loc:
    """A field location taken apart: `root` (query, body, header, cookie, path), `segs` the key path without
    container words, transforms and list indices, `path` those joined by dots (lower case), `parent` the raw
    location of the enclosing object (siblings share it)."""

    root: str
    segs: tuple[str, ...]
    path: str
    parent: str
    last: str            # the last non-numeric segment ("" for protobuf numbers)


def parse_location(location: str) -> Loc:
    r = _loc_cache.get(location)
    if r is None:
        _bounded(_loc_cache)
        plain = _INDEX.sub("", _TRANSFORM.sub("", location))
        parts = [p for p in plain.split(".") if p != ""]
        root = parts[0].lower() if parts else ""
        rest = parts[1:]
        if root == "body" and rest and rest[0].lower() in _ENCODINGS:
            rest = rest[1:]
        segs = tuple(rest)
        last = next((s for s in reversed(segs) if not s.isdigit()), "")
        cut = location.rfind(".")
        parent = location[:cut] if cut > 0 else ""
        r = Loc(root=root, segs=segs, path=".".join(segs).lower(), parent=parent, last=last)
        _loc_cache[location] = r
    return r


def clip(text: str, limit: int = 120) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(key: str, value: str, limit: int = 120) -> str:
    return clip(f"{key}={value}" if key else value, limit)
