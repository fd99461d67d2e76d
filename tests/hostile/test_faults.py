"""Faults during a batch, with real child processes: an app that hangs past its time limit, crashes, meets a full
disk, loses its proxy or its device is marked failed with the reason, its partial capture kept and flagged, and the
batch goes on. `kill -9` of `hpa batch` at random moments leaves no half-written file, and `--resume` completes it.

Faults are injected through the documented test hook HPA_TEST_FAULT of analyzer/batch/task.py (read in the child
only), except the full disk, which is also tested for real on a 3 MiB tmpfs."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analyzer.batch import BatchOptions, run_batch
from analyzer.batch.task import FAULT_ENV

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HEALTHY = ("org.hpa.demo.cycle", "simulate:cycle")
FAULTY = {  # app -> (device, fault, what the recorded error must say)
    "org.hpa.demo.notes": ("simulate:notes", "hang", "timed out after"),
    "org.hpa.demo.stride": ("simulate:stride", "crash", "crashed: killed by SIGSEGV"),
    "org.hpa.demo.mindful": ("simulate:mindful", "enospc", "No space left on device"),
    "fr.hpa.demo.grossesse": ("simulate:grossesse", "proxy_died", "proxy died"),
    "org.hpa.demo.basic": ("simulate:demo-basic", "device_gone", "device disappeared"),
}


def write_apps(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("app_id,name,category,device\n" + "".join(f"{a},{a.split('.')[-1]},other,{d}\n" for a, d in rows),
                    encoding="utf-8")
    return path


def check_private(root: Path) -> None:
    """Every folder 0700 and every file 0600 under a capture / batch output."""
    for p in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), f"{p}: {oct(mode)}"


def check_whole(root: Path) -> list[Path]:
    """Every results/report/meta file parses; returns the files checked."""
    seen = []
    for p in root.rglob("*"):
        if p.is_dir() or p.name.startswith("."):
            continue
        if p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".csv":
            rows = list(csv.DictReader(p.open(encoding="utf-8")))
            assert all(r["app_id"] for r in rows)
        elif p.suffix == ".parquet":
            pq.read_table(p)
        elif p.suffix == ".html":
            assert p.read_text(encoding="utf-8").rstrip().endswith("</html>"), p
        elif p.name == "flows.jsonl":       # appended line by line: only the last line may be cut
            lines = p.read_bytes().split(b"\n")
            for line in lines[:-1]:
                json.loads(line)
        else:
            continue
        seen.append(p)
    return seen


def test_faults_fail_one_app_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps = write_apps(tmp_path / "apps.csv", [HEALTHY, *[(a, d) for a, (d, _, _) in FAULTY.items()],
                                              ("org.hpa.test.missing", "simulate:no-such-scenario")])
    monkeypatch.setenv(FAULT_ENV, ",".join(f"{f}:{a}" for a, (_, f, _) in FAULTY.items()))
    out = tmp_path / "out"
    run_batch(BatchOptions(apps_csv=str(apps), jobs=2, output=str(out), timeout=25, retries=0))
    results = {r["app_id"]: r for r in csv.DictReader((out / "results.csv").open(encoding="utf-8"))}
    assert results[HEALTHY[0]]["status"] == "done" and results[HEALTHY[0]]["verdict"]
    for app, (_, fault, says) in FAULTY.items():
        r = json.loads((out / app / "result.json").read_text())
        assert r["status"] == "failed" and says in r["error"], (fault, r)
        partial = out / r["partial_capture"]             # the partial capture is kept, and named in the results
        assert (partial / "meta.json").is_file() and (partial / "flows.jsonl").stat().st_size > 0, fault
        assert results[app]["partial_capture"] == r["partial_capture"]
    missing = results["org.hpa.test.missing"]
    assert missing["status"] == "failed" and "unknown scenario" in missing["error"]
    assert "Partial capture kept" in (out / "index.html").read_text(encoding="utf-8")
    check_whole(out)
    check_private(out)


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_real_full_disk(tiny_disk: Path, tmp_path: Path) -> None:
    """A disk with room for the capture and the results but not for the HTML report. The app fails with ENOSPC,
    nothing is left half-written, and the batch still writes its results. (A first run on a roomy disk measures the
    room each file takes; a filler file leaves the small disk all of it but the HTML report's.)"""
    import shutil

    apps = write_apps(tmp_path / "apps.csv", [HEALTHY])
    ref = tmp_path / "ref"
    run_batch(BatchOptions(apps_csv=str(apps), jobs=1, output=str(ref), timeout=60, retries=0))
    page = 4096                                            # tmpfs counts whole pages
    used = lambda files: sum(-(-f.stat().st_size // page) * page for f in files)  # noqa: E731
    html = used(ref.rglob("report.html"))                 # written last of the app's files
    everything = used(f for f in ref.rglob("*") if f.is_file())
    assert html >= 8 * page, "the report is too small for this test to tell"
    room = everything - html + 2 * page                    # all fits but the HTML report
    filler = tiny_disk / "filler"
    with open(filler, "wb") as fp:
        fp.write(b"\0" * (shutil.disk_usage(tiny_disk).free - room))
    out = tiny_disk / "out"
    run_batch(BatchOptions(apps_csv=str(apps), jobs=1, output=str(out), timeout=60, retries=0))
    r = json.loads((out / HEALTHY[0] / "result.json").read_text())
    assert r["status"] == "failed" and "No space left on device" in r["error"]
    assert r["partial_capture"] and (out / r["partial_capture"] / "flows.jsonl").stat().st_size > 0
    assert not list(out.rglob(".*.tmp"))              # the failed atomic write cleaned its temporary file
    check_whole(out)


def _processes_with(env_item: str) -> list[str]:
    """The command lines of the live processes whose environment holds `env_item`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and env_item.encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_kill_9_at_random_moments_then_resume(tmp_path: Path) -> None:
    apps = write_apps(tmp_path / "apps.csv", [HEALTHY, ("org.hpa.demo.notes", "simulate:notes"),
                                              ("org.hpa.demo.stride", "simulate:stride")])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "analyzer.cli", "batch", str(apps), "-o", str(out), "--jobs", "2", "--resume",
           "--timeout", "60"]
    marker = f"run-{os.getpid()}-{time.monotonic_ns()}"      # every process of these batches inherits it
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV} | {"HPA_TEST_RUN": marker}
    rng = random.Random(9)
    done_before: dict[str, bytes] = {}
    for delay in [rng.uniform(0.5, 3.0), rng.uniform(3.0, 6.0), rng.uniform(2.0, 8.0)]:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)                                   # let the kernel deliver the children's parent-death signal
        if out.exists():
            check_whole(out)
            for p in out.glob("*/result.json"):
                if json.loads(p.read_bytes()).get("status") == "done":
                    done_before.setdefault(p.parent.name, p.read_bytes())
    # the apps' processes (forked by the batch's zygote, or started as `python -m analyzer.batch.task`) and the
    # zygote died with the batch
    assert _processes_with(f"HPA_TEST_RUN={marker}") == [], "processes outlived the killed batch"
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    check_whole(out)
    results = {row["app_id"]: row for row in csv.DictReader((out / "results.csv").open(encoding="utf-8"))}
    assert {k: v["status"] for k, v in results.items()} == {a: "done" for a in results} and len(results) == 3
    for app, data in done_before.items():                 # what was finished before a kill is kept as it was
        assert (out / app / "result.json").read_bytes() == data
    check_private(out)
