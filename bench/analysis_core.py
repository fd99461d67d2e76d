"""Analysis throughput on one core: CPU time through `Accumulator.add` (decode + detect + fold), reading excluded.

    .venv/bin/python -m bench.analysis_core [--flows 60000] [--seed 1] [--repeat 3]

The mix is seeded: half synthetic tracker requests from bench/decode_mix.py (Meta, Firebase app-measurement,
Mixpanel, Adjust, Segment, plain GETs; fresh identifiers per flow so no value cache can help), half the requests
of the labeled corpus (bench/quality/corpus: 30+ apps, 18 SDK wire formats, traps) cycled with fresh flow ids.
A persona (known values) is set, as in a real run. Prints one line:
`analysis_core: X flows/s one core (decode Y, detect Z)`, each the best of --repeat runs in CPU time
(time.process_time, so other work on a shared machine does not count). X is the whole of `Accumulator.add`;
Y is decode_flow alone, Z Detector.detect alone on fields decoded beforehand (each run starts with fresh caches).
The flows are built before timing and frozen out of the garbage collector's view (gc.freeze): in a real run
they stream from the reader and are not alive together, so scanning them would be a cost of this harness only.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_mix import make_flows  # noqa: E402

from analyzer.decode import decode_flow  # noqa: E402
from analyzer.detect import Detector, Persona  # noqa: E402
from analyzer.model import Flow  # noqa: E402
from analyzer.aggregate import Accumulator  # noqa: E402
from analyzer.recipients import Recipients  # noqa: E402

CORPUS = Path(__file__).parent / "quality" / "corpus"
PERSONA = Persona(advertising_id="6fc53a3d-2fb2-4079-b849-e9484a8afd3b", android_id="082f33f68c9aad71",
                  email="camille.martin@example.fr", phone="+33 6 12 34 56 78", name="Camille Martin",
                  birth_date="1992-05-17", lat=48.8566, lon=2.3522, custom={"weight": "63.5"})


def corpus_flows() -> list[Flow]:
    from analyzer.traffic import open_capture

    flows: list[Flow] = []
    for har in sorted(CORPUS.glob("*.har")):
        flows += list(open_capture(har))
    return flows


def make_mix(n: int, seed: int) -> list[Flow]:
    synthetic = make_flows(n - n // 2, seed)
    base = corpus_flows()
    rng = random.Random(seed)
    real = [dataclasses.replace(rng.choice(base), id=f"c{i}") for i in range(n // 2)]
    mix = synthetic + real
    rng.shuffle(mix)
    return mix


def best_of(repeat: int, run) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.analysis_core")
    ap.add_argument("--flows", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    flows = make_mix(args.flows, args.seed)
    n = len(flows)
    gc.collect()
    gc.freeze()

    def run_decode() -> None:
        for f in flows:
            decode_flow(f)

    def run_all() -> None:
        acc = Accumulator(Recipients(None), Detector(PERSONA))   # fresh caches: the figure includes warming them
        for f in flows:
            acc.add(f)

    t_all = best_of(args.repeat, run_all)
    t_dec = best_of(args.repeat, run_decode)
    decoded = [(f, decode_flow(f).fields) for f in flows]
    gc.freeze()

    def run_detect() -> None:
        det = Detector(PERSONA)
        for f, fields in decoded:
            det.detect(f, fields)

    t_det = best_of(args.repeat, run_detect)
    print(f"analysis_core: {n / t_all:,.0f} flows/s one core (decode {n / t_dec:,.0f}, detect {n / t_det:,.0f})"
          f"  [{n} flows, best of {args.repeat}, CPU time]")


if __name__ == "__main__":
    main()
