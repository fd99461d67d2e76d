"""A distributed batch whose worker does not see the inputs (another machine, or here: a worker in its own mount
namespace with an empty tmpfs over the study folder) stops before any app, with one line naming what is missing.
Relative paths of apps.csv are made absolute first, so a worker never resolves them against its own folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.cli import hpa

from .conftest import SCHEDULER_HTTP, write_apps_csv

DASK = Path(sys.executable).with_name("dask")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="a worker in its own mount namespace needs root and unshare")
def test_worker_without_the_inputs_is_named(tmp_path: Path) -> None:
    from distributed import LocalCluster

    study = tmp_path / "study"
    (study / "hars").mkdir(parents=True)
    (study / "hars" / "a.har").write_text('{"log": {"version": "1.2", "entries": []}}', encoding="utf-8")
    write_apps_csv(study / "apps.csv", [{"app_id": "org.example.a", "capture": "hars/a.har"}])
    with LocalCluster(n_workers=0, host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                      scheduler_kwargs=SCHEDULER_HTTP) as c:
        worker = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             f"mount -t tmpfs tmpfs {study} && exec {DASK} worker {c.scheduler_address} --nthreads 1 "
             "--resources device=1 --no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not c.scheduler.workers and time.monotonic() < deadline:
                time.sleep(0.2)
            assert c.scheduler.workers, "the worker did not join"
            r = hpa("batch", "apps.csv", "-o", tmp_path / "out", "--scheduler", c.scheduler_address, cwd=study,
                    timeout=120)
        finally:
            os.killpg(worker.pid, 9)
            worker.wait()
    assert r.returncode == 2, r.stderr
    [line] = r.stderr.splitlines()
    assert line.startswith(f"hpa: error: {c.scheduler_address}: a worker cannot reach the batch's files")
    assert f"cannot read {study / 'hars' / 'a.har'}" in line       # an absolute path, resolved against apps.csv
    assert not (tmp_path / "out" / "org.example.a" / "result.json").exists()
