"""`hpa batch` scaling: the same apps with --jobs 1, --jobs 2, and on a Dask cluster (a local `dask scheduler`
and two `dask worker` processes, one device slot each), started once with the settings the README gives
(`analyzer.batch.dask_env()`) and once with dask's defaults.

    python -m bench.batch_scaling [--apps 20] [--captures 100] [--requests 1000]

Two workloads, each with --jobs 1, --jobs 2 and on the Dask cluster:
- captures made elsewhere (issue 21's "100 captures of 1,000 requests each"): hpa JSONL files of SDK-like traffic
  (bench.throughput's generator), listed in apps.csv's `capture` column: analysis and report per app;
- simulated apps (`simulate:SCENARIO`, the built-in scenarios in turn): static facts, a capture through the real
  proxy over real TLS, analysis and report.
Each app runs in its own process, as `hpa batch` runs them. Prints apps/min per configuration and the ratio to
--jobs 1 (target: >= 1.8x with 2 slots).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import as_installed

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SCENARIOS = ("notes", "stride", "cycle", "mindful", "grossesse")


def apps_csv(path: Path, n: int) -> None:
    rows = ["app_id,name,category,apk,policy,data_safety,device,first_party_domains"]
    for i in range(n):
        sc = SCENARIOS[i % len(SCENARIOS)]
        rows.append(f"org.hpa.bench.app{i},Bench {i},other,,,,simulate:{sc},")
    path.write_text("\n".join(rows) + "\n")


def captures_csv(path: Path, n: int, requests: int) -> None:
    """`n` captures of `requests` requests each (different seeds), and the apps.csv that lists them."""
    from bench.throughput import write_jsonl

    rows = ["app_id,name,category,capture"]
    for i in range(n):
        cap = path.parent / "caps" / f"app{i}.jsonl"
        cap.parent.mkdir(exist_ok=True)
        write_jsonl(cap, requests, None, seed=i + 1)
        rows.append(f"org.hpa.bench.cap{i},Capture {i},other,{cap}")
    path.write_text("\n".join(rows) + "\n")


def batch(csv: Path, out: Path, *extra: str) -> float:
    t = time.perf_counter()
    r = subprocess.run([str(BIN / "hpa"), "batch", str(csv), "-o", str(out), *extra], capture_output=True, text=True,
                       cwd=ROOT)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"hpa batch {' '.join(extra)}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
    if "0 failed" not in r.stderr + r.stdout:
        raise RuntimeError(f"hpa batch {' '.join(extra)}: some apps failed: {(r.stderr + r.stdout).strip()[-300:]}")
    return secs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_cluster(tmp: Path, tuned: bool = True) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and two workers; `tuned`: started with the settings the README gives (`dask_env()`)."""
    from analyzer.batch import dask_env

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = open(tmp / "dask.log", "a")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    if tuned:
        env.update(dask_env())
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], stdout=log, stderr=log, start_new_session=True, env=env)]
    time.sleep(3)
    for _ in range(2):
        procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--resources", "device=1", "--no-dashboard"], stdout=log, stderr=log,
                                      start_new_session=True, env=env))
    deadline = time.time() + 60
    from distributed import Client
    with Client(address, timeout="30s") as c:
        while len(c.scheduler_info().get("workers", {})) < 2:
            if time.time() > deadline:
                raise RuntimeError("dask workers did not register")
            time.sleep(0.5)
    return address, procs


def measure(what: str, csv: Path, n: int, tmp: Path) -> None:
    one = batch(csv, tmp / f"{what}-j1", "--jobs", "1")
    two = batch(csv, tmp / f"{what}-j2", "--jobs", "2")
    rate1, rate2 = n / one * 60, n / two * 60
    label = "batch_jobs" if what == "apps" else f"batch_{what}_jobs"
    print(f"{label}: {n} {DESCRIBE[what]}; --jobs 1 {one:.1f} s ({rate1:.1f} apps/min), --jobs 2 "
          f"{two:.1f} s ({rate2:.1f} apps/min, {rate2 / rate1:.2f}x; target >= 1.8x)", flush=True)
    for tuned in (True, False):
        measure_dask(what, csv, n, tmp, rate1, tuned)


def measure_dask(what: str, csv: Path, n: int, tmp: Path, rate1: float, tuned: bool) -> None:
    procs: list[subprocess.Popen] = []
    label = ("batch_dask" if what == "apps" else f"batch_{what}_dask") + ("" if tuned else "_default")
    how = "started as the README says" if tuned else "dask's default settings"
    try:
        address, procs = dask_cluster(tmp, tuned)
        dask_s = batch(csv, tmp / f"{what}-dask-{tuned}", "--scheduler", address)
        rate_d = n / dask_s * 60
        print(f"{label}: --scheduler (local dask scheduler + 2 dask workers, 1 device slot each, {how}) {dask_s:.1f} s "
              f"({rate_d:.1f} apps/min, {rate_d / rate1:.2f}x --jobs 1; target >= 1.8x)", flush=True)
    except Exception as e:      # the cluster is part of the measurement: say why it is missing
        print(f"{label}: FAILED ({str(e)[:200]})")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


DESCRIBE = {"apps": "simulated apps", "captures": "captures made elsewhere"}


def main() -> int:
    as_installed()
    quick = os.environ.get("HPA_BENCH_QUICK") == "1"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=4 if quick else 20)
    ap.add_argument("--captures", type=int, default=6 if quick else 100)
    ap.add_argument("--requests", type=int, default=200 if quick else 1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hpa-batch-bench-") as d:
        tmp = Path(d)
        caps = tmp / "captures.csv"
        captures_csv(caps, args.captures, args.requests)
        DESCRIBE["captures"] = f"captures made elsewhere of {args.requests} requests each"
        measure("captures", caps, args.captures, tmp)
        csv = tmp / "apps.csv"
        apps_csv(csv, args.apps)
        measure("apps", csv, args.apps, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
