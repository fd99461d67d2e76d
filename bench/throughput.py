"""Analysis throughput: flows/s of `analyze()` on one core and on all cores, and peak memory.

    python -m bench.throughput [--flows 100000] [--gb 1] [--format jsonl|har] [--quick]

The input is a large mixed capture made (seeded) from the labeled corpus of bench/quality: its requests
(30+ health apps, 18 SDK wire formats, first-party calls, traps) shuffled and repeated with fresh times until
the flow count (or, with --gb, the file size) is reached. Files are cached in bench/out/throughput/.
Each measurement runs in a child process, so its peak RSS is its own. Memory flatness is shown by the
peak RSS at the full size against a quarter of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).parent
OUT = HERE / "out" / "throughput"
SEED = 20261129

CHILD = r"""
import json, resource, sys, time
from analyzer.pipeline import AnalyzeOptions, analyze
path, jobs = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
report = analyze([path], AnalyzeOptions(jobs=jobs))
secs = time.perf_counter() - t0
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": secs, "flows": report.input.flows_read, "skipped": report.input.records_skipped,
                  "rss_kb": self_kb, "children_rss_kb": kids_kb, "data_flows": len(report.data_flows)}))
"""


def base_entries() -> list[dict[str, Any]]:
    from bench.quality.score import corpus_files

    entries = []
    for cf in corpus_files():
        entries += json.loads(cf.har.read_text(encoding="utf-8"))["log"]["entries"]
    return entries


def _stamped(entries: Iterator[dict[str, Any]], n: int | None, rng: random.Random) -> Iterator[dict[str, Any]]:
    """The first n entries (all when n is None), with increasing start times 1-50 ms apart."""
    t = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    for e in itertools.islice(entries, n):
        t += dt.timedelta(milliseconds=rng.randint(1, 50))
        e["startedDateTime"] = t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        yield e


def played(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """No request repeated by the bench: the corpus generator plays every app again with seed, seed+1, ...
    (other devices, event values, ids and times) until n entries; only the repeats a real session has
    (polling, config fetches, retries) are left. Start times are made increasing, as in `mixed`."""
    import tempfile

    from bench.quality.generate import generate

    def plays(tmp: str) -> Iterator[dict[str, Any]]:
        for k in itertools.count():
            for har in sorted(generate(Path(tmp) / str(k), seed=seed + k)):
                if har.suffix == ".har":
                    yield from json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]

    with tempfile.TemporaryDirectory(prefix="hpa-played-") as tmp:
        yield from _stamped(plays(tmp), n, random.Random(seed))


def mixed(n: int | None, seed: int) -> Iterator[dict[str, Any]]:
    """Corpus entries, shuffled per round, with increasing start times; endless when n is None."""
    rng = random.Random(seed)
    base = base_entries()

    def rounds() -> Iterator[dict[str, Any]]:
        while True:
            order = list(range(len(base)))
            rng.shuffle(order)
            yield from (dict(base[k]) for k in order)

    return _stamped(rounds(), n, rng)


def write_har(path: Path, n: int | None, max_bytes: int | None, seed: int, kind: str = "mixed") -> int:
    tmp = path.with_suffix(".part")
    count = 0
    entries = played(n or 0, seed) if kind == "played" else mixed(n, seed)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write('{"log":{"version":"1.2","creator":{"name":"hpa-bench-throughput","version":"1"},"entries":[\n')
        for e in entries:
            f.write(("," if count else "") + json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n")
            count += 1
            if max_bytes and count % 1000 == 0 and f.tell() >= max_bytes:
                break
        f.write("]}}\n")
    os.replace(tmp, path)
    return count


def write_jsonl(path: Path, n: int | None, max_bytes: int | None, seed: int) -> int:
    """hpa JSONL through the traffic room's own reader and writer (the format `hpa capture` records)."""
    from analyzer.traffic import JsonlWriter, open_capture

    har = OUT / f"base-{seed}.har"
    write_har(har, len(base_entries()), None, seed)
    flows = list(open_capture(har))
    rng = random.Random(seed)
    tmp = path.with_suffix(".part")
    w = JsonlWriter(tmp)
    count, t = 0, 1_780_000_000.0
    try:
        while n is None or count < n:
            rng.shuffle(flows)
            for fl in flows:
                if (n is not None and count >= n) or (max_bytes and count % 1000 == 0 and count and tmp.stat().st_size >= max_bytes):
                    n = count
                    break
                t += rng.randint(1, 50) / 1000
                fl.id, fl.time = f"t{count}", t
                w.write(fl)
                count += 1
    finally:
        w.close()
    os.replace(tmp, path)
    return count


def make_input(fmt: str, flows: int | None, gb: float | None, seed: int, kind: str = "mixed") -> tuple[Path, int]:
    """A cached input: `mixed` (corpus requests repeated) or, for HAR only, `played` (see `played`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    tag = f"{gb}gb" if gb else f"{flows}"
    path = OUT / f"{kind}-{tag}-{seed}.{fmt}"
    meta = path.with_suffix(path.suffix + ".count")
    if path.is_file() and meta.is_file():
        return path, int(meta.read_text())
    max_bytes = int(gb * 1024**3) if gb else None
    if kind == "played":
        n = write_har(path, flows, None, seed, kind)
    else:
        n = (write_jsonl if fmt == "jsonl" else write_har)(path, None if gb else flows, max_bytes, seed)
    meta.write_text(str(n))
    return path, n


def measure(path: Path, jobs: int) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-c", CHILD, str(path), str(jobs)], capture_output=True, text=True,
                       cwd=HERE.parent)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def jobs_implemented() -> bool:
    import inspect

    from analyzer import pipeline
    return "opts.jobs" in inspect.getsource(pipeline.analyze)


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--gb", type=float, default=None, help="make the capture at least this many GiB instead")
    ap.add_argument("--format", choices=("jsonl", "har"), default=None, help="default: jsonl when hpa's writer exists")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--quick", action="store_true", help="5,000 flows: a smoke run")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    if args.quick or os.environ.get("HPA_BENCH_QUICK"):
        args.flows, args.gb = 5_000, None
    fmt = args.format
    if fmt is None:
        try:
            from analyzer.traffic import JsonlWriter  # noqa: F401
            fmt = "jsonl"
        except ImportError:
            fmt = "har"
    print(f"machine: {machine()}")
    path, n = make_input(fmt, args.flows, args.gb, args.seed)
    size_mb = path.stat().st_size / 1024**2
    one = measure(path, 1)
    fps1 = one["flows"] / one["seconds"]
    print(f"analyze_1core: {fps1:,.0f} flows/s ({one['flows']:,} flows, {size_mb:,.0f} MB {fmt}, "
          f"{one['seconds']:.1f} s; target >= 10,000)")
    cores = os.cpu_count() or 1
    if cores > 1:
        if jobs_implemented():
            many = measure(path, cores)
            fpsn = many["flows"] / many["seconds"]
            print(f"analyze_all_cores: {fpsn:,.0f} flows/s with jobs={cores} (1 core {fps1:,.0f} flows/s, ratio {fpsn / fps1:.2f};"
                  f" peak RSS {many['rss_kb'] / 1024:,.0f} MB main + {many['children_rss_kb'] / 1024:,.0f} MB largest worker)")
        else:
            print("analyze_all_cores: not implemented (pipeline.analyze ignores AnalyzeOptions.jobs)")
    rss = one["rss_kb"] / 1024
    if args.gb is None and n >= 4:
        qpath, qn = make_input(fmt, max(1, n // 4), None, args.seed)
        q = measure(qpath, 1)
        qrss = q["rss_kb"] / 1024
        print(f"analyze_peak_rss: {rss:,.0f} MB at {n:,} flows ({qrss:,.0f} MB at {qn:,} flows, ratio {rss / qrss:.2f}; flat = 1.0)")
    else:
        print(f"analyze_peak_rss: {rss:,.0f} MB at {n:,} flows ({size_mb:,.0f} MB input, ratio {rss / size_mb:.2f} of input size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
