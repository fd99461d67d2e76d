"""`make bench`: run every benchmark module of bench/ and print their figures, one line each:
`name: value (peer value, ratio)`.

    python -m bench [--only NAME ...] [--skip NAME ...] [--quick] [--timeout S] [--list]

A benchmark is a module `bench/<name>.py` or package `bench/<name>/` exposing `main()` or `run()`. Each runs in
its own child process (its own memory figures, its own crash): a failing one is reported as
`<name>: FAILED (...)`, the others still run. The lines printed are also saved to bench/out/last_run.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import as_installed

HERE = Path(__file__).parent
FIRST = ("quality", "trackhar_compare", "throughput")        # detection figures first, then the rest by name
NOT_BENCHMARKS = {"__init__", "__main__", "decode_mix", "peers"}   # shared helpers, not benchmarks

CHILD = r"""
import importlib, sys
name = sys.argv[1]
mod = importlib.import_module("bench." + name)
entry = getattr(mod, "main", None) or getattr(mod, "run", None)
if entry is None:
    sys.exit(3)
sys.argv = ["bench." + name]
rc = entry()
sys.exit(rc if isinstance(rc, int) else 0)
"""


def discover() -> list[str]:
    names = set()
    for p in HERE.iterdir():
        if p.name.startswith((".", "_")):
            continue
        if p.is_file() and p.suffix == ".py":
            names.add(p.stem)
        elif p.is_dir() and (p / "__init__.py").is_file():
            names.add(p.name)
    names -= NOT_BENCHMARKS
    names = {n for n in names if not n.startswith("fuzz")}    # fuzzing is `make fuzz` (python -m bench.fuzz)
    return [n for n in FIRST if n in names] + sorted(names - set(FIRST))


def run_one(name: str, timeout: float, env: dict[str, str]) -> tuple[str, list[str], float]:
    """Returns (status, output lines, seconds); status is ok | skipped | FAILED (...)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen([sys.executable, "-c", CHILD, name], cwd=HERE.parent, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        return f"FAILED ({e})", [], 0.0
    lines: list[str] = []
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        lines = out.splitlines()
        return f"FAILED (timed out after {timeout:.0f} s)", lines, time.perf_counter() - t0
    lines = out.splitlines()
    secs = time.perf_counter() - t0
    if proc.returncode == 3 and not lines:
        return "skipped", [], secs
    if proc.returncode != 0:
        last = (err.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return f"FAILED ({last[:200]})", lines, secs
    return "ok", lines, secs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description="Run hpa's benchmarks against their peers.")
    ap.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    ap.add_argument("--skip", nargs="*", default=[], help="do not run these")
    ap.add_argument("--quick", action="store_true", help="smoke sizes (sets HPA_BENCH_QUICK=1 for the modules)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per benchmark")
    ap.add_argument("--list", action="store_true", help="list the benchmarks found and exit")
    args = ap.parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only is not None:
        unknown = set(args.only) - set(names)
        if unknown:
            print(f"bench: unknown benchmark(s): {', '.join(sorted(unknown))} (found: {', '.join(names)})", file=sys.stderr)
            return 2
        names = [n for n in names if n in args.only]
    names = [n for n in names if n not in args.skip]
    as_installed()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH", "")]))
    if args.quick:
        env["HPA_BENCH_QUICK"] = "1"
    record = [f"# hpa bench, {dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}, "
              f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"]
    print(record[0], flush=True)
    failed = []
    for name in names:
        status, lines, secs = run_one(name, args.timeout, env)
        for line in lines:
            print(line, flush=True)
        record += lines
        if status == "skipped":
            continue
        if status != "ok":
            failed.append(name)
            msg = f"{name}: {status}"
            print(msg, flush=True)
            record.append(msg)
        record.append(f"# {name}: {status} in {secs:.1f} s")
    summary = f"bench: {len(names) - len(failed)} of {len(names)} benchmarks ran" + \
              (f"; failed: {', '.join(failed)}" if failed else "")
    print(summary)
    record.append(summary)
    try:
        from analyzer.fsutil import atomic_write_text
        atomic_write_text(HERE / "out" / "last_run.txt", "\n".join(record) + "\n", mode=0o644)
    except Exception as e:                    # the figures were printed; saving them is a convenience
        print(f"bench: could not save bench/out/last_run.txt ({e})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
