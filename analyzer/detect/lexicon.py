"""Health and fitness term matching on whole words (never substrings: "mood" does not match "moodle").

A text (key path, value, event name) is split into words, then matched greedily, longest phrase first, against
the EN+FR lexicon. Plurals in s/x are folded, and long glued words are split in two when both halves are known
("lastperiod" -> last period). Each scan is cached by text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .knowledge import CONTEXT, IGNORE, STRONG, WEAK, LexiconData, Term, lexicon_data
from .text import tokens

_CACHE_MAX = 200_000


@dataclass(frozen=True, slots=True)
class Hit:
    phrase: str
    term: Term


@dataclass(frozen=True, slots=True)
class Scan:
    hits: tuple[Hit, ...]
    strong: bool        # a strong term is present
    verb: bool          # a logging verb is present (log_period, mood_tracked)
    simple: bool        # only weak/context terms plus qualifier words (weight_kg, mood_score, cycle_length_days)
    words: int


EMPTY = Scan((), False, False, False, 0)


class Lexicon:
    def __init__(self, data: LexiconData | None = None):
        self.data = data or lexicon_data()
        self.terms = self.data.terms
        self._vocab = {w for k in self.terms for w in k.split()} | set(self.data.verbs) | set(self.data.qualifiers)
        self._single = {k for k in self.terms if " " not in k}
        self._cache: dict[str, Scan] = {}
        self._split_cache: dict[str, tuple[str, ...]] = {}

    def __getstate__(self):        # caches are not worth pickling to worker processes
        return {"data": self.data}

    def __setstate__(self, state):
        self.__init__(state["data"])

    def scan(self, text: str) -> Scan:
        r = self._cache.get(text)
        if r is None:
            if len(text) > 256:
                return self._scan(tokens(text))
            if len(self._cache) > _CACHE_MAX:
                self._cache.clear()
            r = self._scan(tokens(text))
            self._cache[text] = r
        return r

    def scan_tokens(self, toks: tuple[str, ...]) -> Scan:
        return self._scan(toks)

    # -- internals ------------------------------------------------------------------------------
    def _word(self, w: str) -> str:
        """The lexicon form of one word: itself, or its singular."""
        if w in self._vocab:
            return w
        if len(w) > 3 and w[-1] in "sx" and w[:-1] in self._vocab:
            return w[:-1]
        return w

    def _split(self, w: str) -> tuple[str, ...]:
        r = self._split_cache.get(w)
        if r is not None:
            return r
        r = (w,)
        if len(w) >= 8 and w.isalpha() and w not in self._vocab:
            best = 0
            for i in range(3, len(w) - 2):
                a, b = self._word(w[:i]), self._word(w[i:])
                if a in self._vocab and b in self._vocab and (a in self._single or b in self._single):
                    score = max(len(a) if a in self._single else 0, len(b) if b in self._single else 0)
                    if score > best:
                        best, r = score, (a, b)
        if len(self._split_cache) > _CACHE_MAX:
            self._split_cache.clear()
        self._split_cache[w] = r
        return r

    def _scan(self, raw: tuple[str, ...]) -> Scan:
        if not raw:
            return EMPTY
        toks: list[str] = []
        stop = self.data.stopwords
        for w in raw:
            if w not in stop:
                toks.extend(self._word(p) for p in self._split(w))
        if not toks:
            return EMPTY
        terms, verbs, quals = self.terms, self.data.verbs, self.data.qualifiers
        hits: list[Hit] = []
        covered = [False] * len(toks)
        n = len(toks)
        maxw = self.data.max_words
        i = 0
        while i < n:
            for k in range(min(maxw, n - i), 0, -1):
                phrase = toks[i] if k == 1 else " ".join(toks[i:i + k])
                t = terms.get(phrase)
                if t is not None:
                    if t.strength != IGNORE:         # an "ignore" phrase only stops its words from matching
                        hits.append(Hit(phrase, t))
                    for j in range(i, i + k):
                        covered[j] = True
                    i += k
                    break
            else:
                i += 1
        if not hits:
            verb = any(w in verbs for w in toks)
            return Scan((), False, verb, False, n)
        strong = any(h.term.strength == STRONG for h in hits)
        verb = any(w in verbs for w in toks) or any(
            " ".join(toks[i:i + 2]) in verbs for i in range(n - 1))
        simple = all(covered[j] or toks[j] in quals or toks[j].isdigit() for j in range(n)) and \
            any(h.term.strength == WEAK for h in hits)
        return Scan(tuple(hits), strong, verb, simple, n)


def fired(scan: Scan, *, allow_simple: bool, boost: bool = False) -> list[Hit]:
    """The hits that count: strong ones always; weak and context ones beside a strong term of the same kind
    (health or fitness) or a logging verb
    (or `boost`, e.g. the key already named a health topic); weak ones also when the text is just the term
    plus qualifiers and `allow_simple` (the caller checked the field holds a user value)."""
    if not scan.hits:
        return []
    if scan.verb or boost:
        return list(scan.hits)
    if scan.strong:
        # a strong term lends weight only to weak terms of its own kind: in "seance_therapie" the therapy
        # does not make "seance" a workout
        kinds = {h.term.data_type for h in scan.hits if h.term.strength == STRONG}
        return [h for h in scan.hits if h.term.strength == STRONG or h.term.data_type in kinds]
    if allow_simple and scan.simple:
        return [h for h in scan.hits if h.term.strength == WEAK]
    return []


__all__ = ["Lexicon", "Scan", "Hit", "fired", "STRONG", "WEAK", "CONTEXT", "IGNORE"]
