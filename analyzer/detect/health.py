"""Health and fitness data in keys, values and event names, with the false-positive guards applied.

Rules (the lexicon marks each term strong, weak or context, see data/detect/lexicon_en.csv):
- key path: strong terms fire when the field holds a value (not empty, null or false); a weak term fires
  when the key is just that term plus qualifiers (`weight_kg`, `mood`) and the value is a user value, or
  next to a strong term or a logging verb;
- value: strong terms fire; weak ones only when the key already named a health topic ({"mood": "sad"});
- event name: like a key, and an event that is only a weak term plus qualifiers fires too ("period_start").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .guards import PROSE_CHARS, Guards
from .knowledge import STRONG

FITNESS = "health_fitness.fitness"
from .lexicon import Hit, Lexicon, fired
from .text import Loc


LONG_TEXT_MAX = 8192      # characters of one long value scanned (bounded: a pasted document is not read whole)
_OVERLAP = 40             # a phrase cut by a window boundary is whole in the next one
_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,5}$")     # a path segment naming a file (pregnancy-week.json)


@dataclass(frozen=True, slots=True)
class HHit:
    data_type: str
    details: str
    method: str           # key | value | event_name
    conf: float
    phrase: str


def _conf(hit: Hit, base: float) -> float:
    return base if hit.term.strength == STRONG else round(base - 0.15, 2)


class Health:
    def __init__(self, lexicon: Lexicon, guards: Guards):
        self.lex = lexicon
        self.g = guards
        self._cache: dict[tuple, tuple[HHit, ...]] = {}
        self._seg_cache: dict[str, tuple[HHit, ...]] = {}

    def event(self, value: str, base: float = 0.9) -> list[HHit]:
        """Health terms in an event name (event names are user actions: `pregnancy_week_12` is health)."""
        if not value or len(value) > 200:
            return []
        s = self.lex.scan(value)
        return [HHit(h.term.data_type, h.term.details, "event_name", _conf(h, base), h.phrase)
                for h in fired(s, allow_simple=True)]

    def field(self, loc: Loc, key: str, value: str, *, params: bool, bonus: float = 0.0,
              location: str = "") -> tuple[HHit, ...]:
        """Health terms in a field's key path and value. `params`: an adapter says this is free-form user
        data, so the config/content/code guards are off. Cached: most fields repeat across flows."""
        if len(value) > 256:            # long values are rare and would bloat the cache
            return tuple(self._field(loc, key, value, params, bonus, location))
        ck = (loc.path, key, value, params, bonus, "entries[" in location)
        r = self._cache.get(ck)
        if r is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            r = tuple(self._field(loc, key, value, params, bonus, location))
            self._cache[ck] = r
        return r

    def _field(self, loc: Loc, key: str, value: str, params: bool, bonus: float, location: str) -> list[HHit]:
        g = self.g
        commerce = False
        content = False
        if not params:
            config, content, code, commerce = g.key_path(loc, location)
            if config or code:
                return []
        v = value.strip()
        vl = v.lower()
        null = vl in g.null_values and vl != "true"
        if null:
            return []
        userish = vl != "true" and len(value) <= 200
        out: list[HHit] = []
        key_fired = False
        if not content:
            allow_simple = userish and not commerce and not g.span_value(v)
            ks = self.lex.scan(key) if key else None
            if ks is not None and ks.hits:
                for h in fired(ks, allow_simple=allow_simple):
                    if h.term.strength != STRONG and h.term.data_type == FITNESS and not ks.strong and \
                            not ks.verb and not any(c.isdigit() for c in v):
                        continue        # fitness measurements are numbers: {"steps": ["intro", "goal"]} is UI
                    out.append(HHit(h.term.data_type, h.term.details, "key", min(0.95, _conf(h, 0.85) + bonus), h.phrase))
            if len(loc.segs) > 1:
                parent = ".".join(s for s in loc.segs[:-1] if not s.isdigit())
                if parent:
                    ps = self.lex.scan(parent)
                    if ps.hits and not (commerce and not ps.strong):
                        for h in fired(ps, allow_simple=False):
                            out.append(HHit(h.term.data_type, h.term.details, "key", min(0.95, _conf(h, 0.8) + bonus), h.phrase))
            key_fired = bool(out)
        if userish and not content and any(c.isalpha() for c in v) and not g.value_describes_app(v):
            vs = self.lex.scan(v)
            if vs.hits:
                for h in fired(vs, allow_simple=False, boost=key_fired):
                    out.append(HHit(h.term.data_type, h.term.details, "value", min(0.95, _conf(h, 0.8) + bonus), h.phrase))
        elif not content and len(v) > PROSE_CHARS and " " in v:
            out += self._long_text(v, bonus)
        return out

    def _long_text(self, text: str, bonus: float) -> list[HHit]:
        """Free text longer than a field value (a journal entry, a note, an intake form) outside content keys:
        scanned in overlapping windows, up to LONG_TEXT_MAX characters, strong terms only."""
        out: list[HHit] = []
        seen: set[str] = set()
        text = text[:LONG_TEXT_MAX]
        step = PROSE_CHARS - _OVERLAP
        for start in range(0, max(1, len(text) - _OVERLAP), step):
            window = text[start:start + PROSE_CHARS]
            for h in self.lex.scan(window).hits:
                if h.term.strength == STRONG and h.term.details not in seen:
                    seen.add(h.term.details)
                    out.append(HHit(h.term.data_type, h.term.details, "value", min(0.95, 0.7 + bonus), h.phrase))
        return out

    def path_segment(self, value: str) -> tuple[HHit, ...]:
        """A URL path segment (/api/pregnancy/week/12): strong terms only, low confidence."""
        r = self._seg_cache.get(value)
        if r is None:
            if len(self._seg_cache) > 50_000:
                self._seg_cache.clear()
            r = tuple(self._path_segment(value))
            self._seg_cache[value] = r
        return r

    def _path_segment(self, value: str) -> list[HHit]:
        v = value.strip()
        if not v or self.g.value_describes_app(v) or _FILE_NAME.search(v):
            return []
        s = self.lex.scan(v)
        return [HHit(h.term.data_type, h.term.details, "value", 0.6, h.phrase)
                for h in s.hits if h.term.strength == STRONG]
