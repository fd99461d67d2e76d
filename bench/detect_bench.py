"""Benchmark: Detector.detect on a seeded mix of realistic tracker requests, decoded beforehand.

    .venv/bin/python bench/detect_bench.py [--flows 20000] [--seed 1] [--repeat 3] [--no-persona]

Prints flows/s and fields/s of detection alone on one core (CPU time, best of --repeat runs), with and
without a persona (known values), and detections per flow.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_mix import make_flows  # noqa: E402

from analyzer.decode import decode_flow  # noqa: E402
from analyzer.detect import Detector, Persona  # noqa: E402

PERSONA = Persona(advertising_id="6fc53a3d-2fb2-4079-b849-e9484a8afd3b", android_id="082f33f68c9aad71",
                  email="camille.martin@example.fr", phone="+33 6 12 34 56 78", name="Camille Martin",
                  birth_date="1992-05-17", lat=48.8566, lon=2.3522, custom={"weight": "63.5"})


def run(decoded, persona, repeat: int) -> tuple[float, int]:
    best, dets = float("inf"), 0
    for _ in range(repeat):
        det = Detector(persona)          # fresh caches each run: the figure includes warming them
        dets = 0
        t0 = time.process_time()         # CPU time of this process: the machine may be shared
        for flow, fields in decoded:
            dets += len(det.detect(flow, fields))
        best = min(best, time.process_time() - t0)
    return best, dets


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-persona", action="store_true")
    args = ap.parse_args()
    flows = make_flows(args.flows, args.seed)
    decoded = [(f, decode_flow(f).fields) for f in flows]
    fields = sum(len(fs) for _, fs in decoded)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"flows: {len(flows)}  fields: {fields}  ({fields / len(flows):.1f} per flow)")
    for label, persona in ([("no persona", None)] if args.no_persona else [("no persona", None), ("persona", PERSONA)]):
        best, dets = run(decoded, persona, args.repeat)
        print(f"detect ({label}): {len(flows) / best:,.0f} flows/s  {fields / best:,.0f} fields/s  "
              f"{best / len(flows) * 1e6:.1f} µs/flow  {dets / len(flows):.2f} detections/flow (best of {args.repeat})")


if __name__ == "__main__":
    main()
