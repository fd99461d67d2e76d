"""Whole processes, side by side: `hpa analyze` against TrackHAR on the same large HAR.

    python -m bench.end_to_end [--sizes 20000 100000] [--rounds 3] [--million]

Two HARs (bench.throughput, seeded, cached in bench/out/throughput/): `mixed`, the issue's input, the labeled
corpus' 1,535 requests shuffled and repeated with fresh times (so each request comes ~13 times, which favours any
cache), and `played`, the corpus generator playing every app again with other seeds (other devices, values and
ids: only a session's own repeats, ~22 % of requests, are left). Each round runs, one after the other, `hpa analyze HAR -f json
-o OUT` (with --jobs 1 and --jobs 2) and TrackHAR 1.0.0 (`node bench/trackhar_runner.mjs`: read the file,
`JSON.parse`, `process()`), each as a whole process timed from outside, with its peak RSS (`/usr/bin/time`-like
`wait4` rusage). Medians over the rounds are printed, with flows/s per core (requests / wall seconds / processes
used) and what each found: hpa's data types and evidence units (requests x data type x recipient) against
TrackHAR's properties and (request, property) findings. TrackHAR gets no honey values, hpa no persona.
--million adds hpa's peak RSS on 1,000,000 requests (a 1.5 GB HAR, ~3-5 minutes).

Each round also times two floors, whole Python processes on the same HAR that analyze nothing: `json.load` of the
file alone, and `json.load` plus hpa's own conversion of every entry into flows (`entry_to_flows`). They are the
least any Python reader of the file pays before the first field is decoded, beside the wall time the target allows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import as_installed
from bench.throughput import SEED, make_input, machine
from bench.trackhar_compare import PROPERTY_CLASS, RUNNER, install

ROOT = Path(__file__).resolve().parent.parent
HPA = ROOT / ".venv" / "bin" / "hpa"


def run(cmd: list[str], out: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a whole child process."""
    t = time.perf_counter()
    with open(out or os.devnull, "wb") as fp:
        p = subprocess.Popen(cmd, stdout=fp, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} exit {os.waitstatus_to_exitcode(status)}: {err.strip()[-300:]}")
    return secs, usage.ru_maxrss / 1024


# the least a Python process pays on the file: parse it; parse it and make hpa's flows (nothing decoded or detected)
FLOOR_PARSE = "import json,sys; json.load(open(sys.argv[1], 'rb'))"
FLOOR_FLOWS = ("import json,sys\nfrom analyzer.traffic.har import entry_to_flows\n"
               "for i, e in enumerate(json.load(open(sys.argv[1], 'rb'))['log']['entries']):\n"
               "    entry_to_flows(e, str(i))")


def hpa_found(report: Path) -> tuple[int, int, dict[str, int]]:
    """(data types, evidence units, requests per shared data type): a request has one recipient, so a data type's
    evidence counts summed over recipients count its requests."""
    d = json.loads(report.read_text())
    per_type: dict[str, int] = {}
    for df in d["data_flows"]:
        per_type[df["data_type"]] = per_type.get(df["data_type"], 0) + df["evidence_count"]
    return len(per_type), sum(per_type.values()), per_type


def trackhar_found(out: Path) -> tuple[int, int, dict[str, int]]:
    """(properties, (request, property) findings, requests per class of PROPERTY_CLASS)."""
    results = next(iter(json.loads(out.read_text())["results"].values()))
    props = {t["property"] for r in results if r for t in r}
    per_class: dict[str, int] = {}
    for r in results:
        for cls in {PROPERTY_CLASS[t["property"]] for t in r or () if t["property"] in PROPERTY_CLASS}:
            per_class[cls] = per_class.get(cls, 0) + 1
    return len(props), sum(len({t["property"] for t in r}) for r in results if r), per_class


def main() -> int:
    as_installed()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("HPA_BENCH_QUICK") == "1"
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000] if quick else [20_000, 100_000])
    ap.add_argument("--rounds", type=int, default=1 if quick else 3)
    ap.add_argument("--inputs", nargs="*", choices=("mixed", "played"), default=["mixed", "played"])
    ap.add_argument("--million", action="store_true", help="also hpa's peak RSS on 1,000,000 requests")
    args = ap.parse_args()
    pkg, version = install()
    print(f"machine: {machine()}; peer: {version}")
    with tempfile.TemporaryDirectory(prefix="hpa-e2e-") as tmp:
        t = Path(tmp)
        for kind, n in [(k, n) for n in args.sizes for k in args.inputs]:
            har, count = make_input("har", n, None, SEED, kind)
            name = f"e2e_{n // 1000}k" + ("" if kind == "mixed" else f"_{kind}")
            jobs_file = t / "jobs.json"
            jobs_file.write_text(json.dumps([{"har": str(har), "indicators": {}}]))
            times: dict[str, list[float]] = {"hpa1": [], "hpa2": [], "trackhar": [], "parse": [], "flows": []}
            rss: dict[str, float] = {}
            for _ in range(args.rounds):          # paired: the three tools one after the other, per round
                for key, jobs in (("hpa1", 1), ("hpa2", 2)):
                    secs, mem = run([str(HPA), "analyze", str(har), "-f", "json", "--jobs", str(jobs),
                                     "-o", str(t / f"{key}.json")])
                    times[key].append(secs)
                    rss[key] = max(rss.get(key, 0), mem)
                for key, code in (("parse", FLOOR_PARSE), ("flows", FLOOR_FLOWS)):
                    times[key].append(run([sys.executable, "-c", code, str(har)])[0])
                if pkg is not None:
                    secs, mem = run(["node", str(RUNNER), str(pkg), str(jobs_file)], t / "trackhar.json")
                    times["trackhar"].append(secs)
                    rss["trackhar"] = max(rss.get("trackhar", 0), mem)
            med = {k: statistics.median(v) for k, v in times.items() if v}
            types, units, per_type = hpa_found(t / "hpa1.json")
            line = (f"{name}: hpa {med['hpa1']:.2f} s jobs=1 ({count / med['hpa1']:,.0f} flows/s per core, "
                    f"{rss['hpa1']:.0f} MB), {med['hpa2']:.2f} s jobs=2 ({count / med['hpa2'] / 2:,.0f} flows/s per "
                    f"core, {rss['hpa2']:.0f} MB main)")
            if "trackhar" in med:
                props, findings, per_class = trackhar_found(t / "trackhar.json")
                best = min(med["hpa1"], med["hpa2"])
                line += (f"; trackhar {med['trackhar']:.2f} s ({count / med['trackhar']:,.0f} flows/s, "
                         f"{rss['trackhar']:.0f} MB); ratio {med['trackhar'] / best:.2f}x (target >= 1.5x)")
                print(line)
                print(f"{name}_found: hpa {types} data types, {units:,} evidence units; trackhar {props} "
                      f"properties, {findings:,} (request, property) findings")
                print(f"{name}_requests: device ids hpa {per_type.get('device_ids', 0):,}, trackhar "
                      f"{per_class.get('device_ids', 0):,}; location hpa {per_type.get('location.precise', 0):,} precise "
                      f"+ {per_type.get('location.approximate', 0):,} approximate, trackhar {per_class.get('location', 0):,}; "
                      f"health hpa {per_type.get('health_fitness.health', 0):,}, fitness hpa "
                      f"{per_type.get('health_fitness.fitness', 0):,} (trackhar has no such class)")
                print(f"{name}_floor: a Python process that analyzes nothing: json.load {med['parse']:.2f} s, json.load "
                      f"+ hpa's entries to flows {med['flows']:.2f} s; the target allows hpa "
                      f"{med['trackhar'] / 1.5:.2f} s wall for everything")
            else:
                print(line + f"; trackhar {version}")
        if args.million:
            har, count = make_input("har", 1_000_000, None, SEED)
            secs, mem = run([str(HPA), "analyze", str(har), "-f", "json", "-o", str(t / "m.json")])
            print(f"e2e_1m: hpa {secs:.1f} s ({count / secs:,.0f} flows/s), peak RSS {mem:.0f} MB (target <= 200 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
