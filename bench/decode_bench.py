"""Benchmark: decode_flow on a seeded mix of realistic tracker requests.

    .venv/bin/python bench/decode_bench.py [--flows 20000] [--seed 1] [--repeat 3]

Prints flows/s and fields/s on one core (best of --repeat runs), and the cost per flow in µs.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_mix import make_flows  # noqa: E402

from analyzer.decode import decode_flow  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    flows = make_flows(args.flows, args.seed)
    # CPU time of this process: on a shared machine wall time mostly measures the neighbours.
    best = best_wall = float("inf")
    fields = 0
    bounds: Counter[str] = Counter()
    for _ in range(args.repeat):
        fields = 0
        bounds.clear()
        t0, w0 = time.process_time(), time.perf_counter()
        for f in flows:
            d = decode_flow(f)
            fields += len(d.fields)
            bounds.update(d.bounds_hit)
        best = min(best, time.process_time() - t0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, "
          f"python {platform.python_version()}")
    print(f"flows: {len(flows)}  fields: {fields}  ({fields / len(flows):.1f} per flow)  bounds hit: {dict(bounds)}")
    print(f"decode (CPU time, one core): {len(flows) / best:,.0f} flows/s  {fields / best:,.0f} fields/s  "
          f"{best / len(flows) * 1e6:.1f} µs/flow (best of {args.repeat}); wall: {len(flows) / best_wall:,.0f} flows/s")
    by_host: dict[str, list[float]] = {}
    for f in flows[:4000]:
        t0 = time.process_time()
        for _ in range(5):
            decode_flow(f)
        by_host.setdefault(f.host, []).append((time.process_time() - t0) / 5)
    for host, ts in sorted(by_host.items()):
        ts.sort()
        print(f"  {host:28s} median {ts[len(ts) // 2] * 1e6:6.1f} µs")


if __name__ == "__main__":
    main()
