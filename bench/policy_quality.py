"""Policy reading quality: agreement with hand labels on bench/quality/policies/ (EN and FR).

    .venv/bin/python -m bench.policy_quality [--verbose]

For each labeled policy, hpa's reading (analyzer.policy.read_policy, then claim_kinds) is compared with the
expected claims beside it; prints agreement per claim kind (named companies: exact set; also precision/recall over
all names), then overall. Target: >= 90 % per kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "quality" / "policies"
KINDS = ("no_sale_promise", "no_health_sharing_promise", "shares_with_ads_analytics", "named_companies",
         "collects_advertising_id", "collects_location")


def labeled() -> list[tuple[Path, dict]]:
    out = []
    for exp in sorted(CORPUS.glob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        docs = [p for p in CORPUS.glob(stem + ".*") if not p.name.endswith(".expected.json")]
        if docs:
            out.append((docs[0], json.loads(exp.read_text(encoding="utf-8"))))
    return out


def evaluate(verbose: bool = False) -> dict:
    sys.path.insert(0, str(HERE.parent))
    from analyzer.policy import claim_kinds, read_policy

    agree = dict.fromkeys(KINDS, 0)
    tp = fp = fn = 0
    items = labeled()
    by_lang: dict[str, int] = {}
    misses: list[str] = []
    for path, exp in items:
        pol = read_policy(path)
        by_lang[pol["language"]] = by_lang.get(pol["language"], 0) + 1
        got = claim_kinds(pol)
        for k in KINDS:
            e, g = exp[k], got[k]
            if k == "named_companies":
                e, g = sorted(e), sorted(g)
                tp += len(set(e) & set(g))
                fp += len(set(g) - set(e))
                fn += len(set(e) - set(g))
            if e == g:
                agree[k] += 1
            else:
                misses.append(f"  {path.name}: {k} expected {e} got {g}")
    n = len(items)
    return {"policies": n, "languages": by_lang, "agreement": {k: agree[k] / n for k in KINDS},
            "companies_precision": tp / (tp + fp) if tp + fp else 1.0,
            "companies_recall": tp / (tp + fn) if tp + fn else 1.0, "misses": misses}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="list each disagreement")
    args = ap.parse_args()
    r = evaluate()
    langs = ", ".join(f"{k}={v}" for k, v in sorted(r["languages"].items()))
    print(f"policy_quality: {r['policies']} labeled policies ({langs})")
    for k, v in r["agreement"].items():
        print(f"policy_quality.{k}: {v:.0%}")
    overall = sum(r["agreement"].values()) / len(KINDS)
    print(f"policy_quality.companies_precision: {r['companies_precision']:.0%}  recall: {r['companies_recall']:.0%}")
    print(f"policy_quality.overall: {overall:.0%} (target >= 90 % per kind)")
    if args.verbose or r["misses"]:
        print("\n".join(r["misses"]))
    return 0


run = main

if __name__ == "__main__":
    sys.exit(main())
