"""hpa's labeled detection corpus and its scorer (`python -m bench.quality [--details]`)."""

from __future__ import annotations

from .score import CLASS_OF, CORPUS, ClassScore, Item, Score, Unit, score, score_units

__all__ = ["CLASS_OF", "CORPUS", "ClassScore", "Item", "Score", "Unit", "score", "score_units", "run"]


def run() -> Score:
    """`make bench` entry: one line per data class and set (corpus, then the held-out set)."""
    from .generate import HOLDOUT_OUT
    from .score import fmt

    first = None
    for label, corpus in (("quality", CORPUS), ("quality_holdout", HOLDOUT_OUT)):
        s = score(corpus)
        first = first or s
        for err in sorted(set(e.partition(": ")[2] for e in s.errors))[:3]:
            print(f"{label}: ERROR {err}")
        for name, c in [*s.classes.items(), ("all", s.total)]:
            print(f"{label}.{name}: precision {fmt(c.precision).strip()} recall {fmt(c.recall).strip()} "
                  f"(tp {c.tp}, fp {c.fp}, fn {c.fn}; target >= 0.95)")
        for note in s.notes[:3]:
            print(f"{label}: note: {note}")
    return first
