"""`python -m bench.quality [--details] [--json] [--holdout | --corpus DIR]`: precision and recall of hpa per data class.

It measures; it does not gate: the exit code is 0 whatever the figures (and when hpa cannot run, it says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .score import CORPUS, as_dict, details, score, table, trap_line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.quality", description="Score hpa against the labeled corpus.")
    ap.add_argument("--details", action="store_true", help="list every miss and false alarm with its location")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--holdout", action="store_true", help="score the held-out set (bench/quality/holdout)")
    args = ap.parse_args(argv)
    if args.holdout:
        from .generate import HOLDOUT_OUT
        args.corpus = HOLDOUT_OUT
    s = score(args.corpus)
    if args.json:
        print(json.dumps(as_dict(s), indent=2))
        return 0
    print(f"corpus: {s.captures} captures, {s.flows} flows analyzed in {s.seconds:.1f} s ({args.corpus})")
    seen: dict[str, list[str]] = {}
    for err in s.errors:               # one line per distinct problem, not one per capture
        name, _, problem = err.partition(": ")
        seen.setdefault(problem, []).append(name)
    for problem, names in seen.items():
        print(f"error ({len(names)} captures, e.g. {names[0]}): {problem}")
    print(table(s))
    if s.traps and not s.errors:
        print(trap_line(s))
    if args.details:
        print(details(s))
        for n in s.notes:
            print(f"note: {n}")
    elif s.misses or s.false_alarms:
        print(f"({len(s.misses)} misses, {len(s.false_alarms)} false alarms: --details lists them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
