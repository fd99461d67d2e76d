"""Done-check for refactors: the reports of the demo apps and the quality corpus, before and after a change.

    python tools/compare_reports.py snapshot DIR     # run `hpa analyze`/`hpa static` (JSON) on fixed inputs into DIR
    python tools/compare_reports.py diff OLD NEW     # the cases whose output differs, time stamps aside

Inputs: every run folder under captures/demo (made by `make demo`) analyzed with its apps.csv row, the same run's
flows.jsonl with --jobs 2 (the byte-range split), every HAR of bench/quality/corpus with its persona, and
`hpa static` of every demo APK. Only `generated_at` is ignored: the inputs are the same files both times.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HPA = str(ROOT / ".venv" / "bin" / "hpa")
IGNORED = {"generated_at"}


def _cases() -> dict[str, list[str]]:
    cases: dict[str, list[str]] = {}
    rows = {r["app_id"]: r for r in csv.DictReader((ROOT / "apps.csv").open())}
    for app_id, r in sorted(rows.items()):
        for run in sorted((ROOT / "captures" / "demo" / app_id).glob("*/meta.json")):
            args = ["analyze", str(run.parent), "--format", "json", "--app-id", app_id,
                    "--policy", str(ROOT / r["policy"]), "--data-safety", str(ROOT / r["data_safety"]),
                    "--apk", str(ROOT / r["apk"]), "--first-party", r["first_party_domains"]]
            cases[f"demo-{app_id}-{run.parent.name}"] = args
            cases[f"jsonl-j2-{app_id}-{run.parent.name}"] = ["analyze", str(run.parent / "flows.jsonl"),
                                                             "--format", "json", "--jobs", "2"]
        cases[f"static-{app_id}"] = ["static", str(ROOT / r["apk"]), "--format", "json"]
    for har in sorted((ROOT / "bench" / "quality" / "corpus").glob("*.har")):
        persona = har.with_suffix(".persona.json")
        cases[f"corpus-{har.stem}"] = ["analyze", str(har), "--format", "json",
                                       *(["--known-values", str(persona)] if persona.exists() else [])]
    return cases


def _run(name: str, args: list[str], out: Path) -> None:
    r = subprocess.run([HPA, *args], capture_output=True, text=True, cwd=ROOT)
    text = r.stdout if r.returncode == 0 else f"exit {r.returncode}\n{r.stderr}"
    (out / f"{name}.json").write_text(text, encoding="utf-8")


def snapshot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cases = _cases()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda kv: _run(kv[0], kv[1], out), cases.items()))
    print(f"{len(cases)} outputs in {out}")


def _normal(text: str) -> object:
    try:
        d = json.loads(text)
    except ValueError:
        return text
    if isinstance(d, dict):
        for k in IGNORED:
            d.pop(k, None)
    return d


def diff(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.glob("*.json")} | {p.name for p in new.glob("*.json")})
    bad = 0
    for n in names:
        a, b = old / n, new / n
        if not (a.exists() and b.exists()):
            print(f"only in one: {n}")
            bad += 1
        elif _normal(a.read_text()) != _normal(b.read_text()):
            print(f"differs: {n}")
            bad += 1
    print(f"{len(names) - bad} of {len(names)} identical")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
