"""Fuzz run of the request decoders: realistic tracker requests mutated (bit flips, cuts, splices, re-encodings,
deep nesting), plus random bytes and strings in every place a request can carry data.

    .venv/bin/python bench/fuzz_decoders.py [--cases 10000] [--seed 7]

Prints the cases tried, the bounds hit, and the unexpected exceptions (expected: 0). decode_flow catches any
exception as the bound "decoder_error" so a capture is never lost; here each one is re-run to show its traceback.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import random
import sys
import time
import traceback
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import brotli  # noqa: E402
import zstandard  # noqa: E402
from decode_mix import make_flows  # noqa: E402

from analyzer.decode import Limits, decode_flow  # noqa: E402
from analyzer.decode.flow import _walk_flow  # noqa: E402
from analyzer.decode.walk import Walker  # noqa: E402
from analyzer.model import Flow  # noqa: E402

LIMITS = Limits(max_depth=32, max_decoded_bytes=1 << 20, time_budget_s=0.5, max_fields=5000)
CTYPES = ["", "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b0",
          "application/x-protobuf", "application/x-sentry-envelope", "text/plain"]
ENCODINGS = ["", "gzip", "deflate", "br", "zstd"]


_ZEROS = b"\0" * (3 << 20)
BOMBS = [gzip.compress(_ZEROS), zlib.compress(_ZEROS), zstandard.compress(_ZEROS), brotli.compress(_ZEROS, quality=1),
         base64.b64encode(gzip.compress(b'{"a":"' + _ZEROS + b'"}'))]


def mutate(r: random.Random, data: bytes) -> bytes:
    if r.random() < 0.02:                       # a decompression bomb (3 MiB of zeros) against a 1 MiB budget
        return r.choice(BOMBS)
    b = bytearray(data)
    for _ in range(r.randint(1, 4)):
        op = r.randrange(7)
        if op == 0 and b:                       # bit flips
            for _ in range(r.randint(1, 8)):
                b[r.randrange(len(b))] ^= 1 << r.randrange(8)
        elif op == 1 and b:                     # cut
            del b[r.randrange(len(b)):]
        elif op == 2:                           # random insert
            i = r.randint(0, len(b))
            b[i:i] = r.randbytes(r.randint(1, 32))
        elif op == 3 and len(b) > 4:            # splice a copy of a slice elsewhere
            i, j = sorted(r.sample(range(len(b)), 2))
            k = r.randint(0, len(b))
            b[k:k] = b[i:j][:4096]
        elif op == 4:                           # interesting bytes
            i = r.randint(0, len(b))
            b[i:i] = r.choice([b"{", b"[", b"\"", b"=", b"&", b"%", b"\x0a\xff\xff\xff\x0f", b"\x1f\x8b\x08",
                               b"\x28\xb5\x2f\xfd", b"eyJ", b"--b0\r\n", b"\n", b"\x00"])
        elif op == 5:                           # re-encode the whole thing
            b = bytearray(r.choice([gzip.compress, zlib.compress, brotli.compress, zstandard.compress,
                                    base64.b64encode, base64.urlsafe_b64encode])(bytes(b)))
        else:                                   # deep nesting
            depth = r.choice([10, 100, 5000])
            b = bytearray(r.choice([b"[" * depth + bytes(b) + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth]))
    return bytes(b)


def random_text(r: random.Random) -> str:
    pick = r.randrange(4)
    if pick == 0:
        return r.randbytes(r.randint(0, 60)).decode("latin-1")
    if pick == 1:
        return base64.b64encode(r.randbytes(r.randint(0, 60))).decode()
    if pick == 2:
        return "eyJ" + base64.urlsafe_b64encode(r.randbytes(r.randint(0, 40))).decode() + "." + \
            base64.urlsafe_b64encode(r.randbytes(r.randint(0, 40))).decode() + ".x"
    return "".join(r.choice("{}[]\",:=&%+/ abcAZ09\\\n") for _ in range(r.randint(0, 80)))


def case(r: random.Random, seeds: list[Flow], i: int) -> Flow:
    base = r.choice(seeds)
    kind = r.randrange(4)
    if kind == 0:
        return replace(base, id=f"z{i}", request_body=mutate(r, base.request_body))
    if kind == 1:
        return replace(base, id=f"z{i}", request_body=r.randbytes(r.randint(0, 2048)),
                       request_headers=[("Content-Type", r.choice(CTYPES)), ("Content-Encoding", r.choice(ENCODINGS))])
    if kind == 2:
        return replace(base, id=f"z{i}", path="/" + random_text(r), query=random_text(r),
                       request_headers=[(random_text(r) or "x", random_text(r)), ("Cookie", random_text(r)),
                                        ("Authorization", "Bearer " + random_text(r))])
    body = mutate(r, base.request_body)
    return replace(base, id=f"z{i}", request_body=body,
                   request_headers=[("Content-Type", r.choice(CTYPES)), ("Content-Encoding", r.choice(ENCODINGS))])


def run(cases: int = 10_000, seed: int = 7) -> dict:
    r = random.Random(seed)
    seeds = make_flows(200, seed)
    bounds: Counter[str] = Counter()
    errors: list[tuple[Flow, str]] = []
    fields = 0
    t0 = time.perf_counter()
    for i in range(cases):
        flow = case(r, seeds, i)
        d = decode_flow(flow, LIMITS)
        fields += len(d.fields)
        bounds.update(d.bounds_hit)
        if "decoder_error" in d.bounds_hit:
            w = Walker(LIMITS, flow.id)
            try:
                _walk_flow(w, flow)
                errors.append((flow, "decoder_error not reproduced"))
            except Exception:  # noqa: BLE001 - that is what is being counted
                errors.append((flow, traceback.format_exc(limit=4)))
    dt = time.perf_counter() - t0
    unexpected = bounds.pop("decoder_error", 0)
    print(f"cases: {cases}  fields: {fields}  time: {dt:.1f} s  ({cases / dt:,.0f} cases/s)")
    print(f"bounds hit: {dict(sorted(bounds.items()))}")
    print(f"unexpected exceptions: {unexpected}")
    for flow, tb in errors[:3]:
        print(f"--- {flow.id} {flow.host}{flow.path[:40]!r} body {flow.request_body[:60]!r}\n{tb}")
    return {"cases": cases, "bounds_hit": dict(bounds), "unexpected": unexpected}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    sys.exit(1 if run(a.cases, a.seed)["unexpected"] else 0)
