"""`hpa batch --scheduler`: the same apps on a real Dask cluster (a scheduler and two worker processes on loopback,
each declaring one device slot as the Dask resource `device`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

from tests.integration.cli import ENV, hpa

from .conftest import APPS, DONE, FAILED, SCHEDULER_HTTP, BatchRun, needs_capture, run_batch, write_apps_csv
from .test_batch_local import check_outputs

pytestmark = needs_capture


class TaskWatch(SchedulerPlugin):
    """A scheduler plugin noting, for each task sent to a worker, where it ran and the resources it asked for."""

    name = "hpa-test-watch"

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.lock = threading.Lock()
        self.ran: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            if finish == "processing":
                ts = self.scheduler.tasks[key]
                self.ran.setdefault(str(key), []).append((ts.processing_on.address, dict(ts.resource_restrictions or {})))


@pytest.fixture(scope="module")
def cluster(batch_env: dict[str, str]) -> Iterator[tuple[Any, TaskWatch]]:
    from distributed import LocalCluster

    # workers start the app processes: they get the same capture CA folder and hpa home as the CLI
    worker_env = {**ENV, **batch_env}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, resources={"device": 1},
                      host="127.0.0.1", scheduler_port=0, dashboard_address=None, scheduler_kwargs=SCHEDULER_HTTP,
                      env=worker_env) as c:
        watch = TaskWatch(c.scheduler)      # the scheduler runs in this process: watch it directly
        c.scheduler.add_plugin(watch)
        yield c, watch


@pytest.fixture(scope="module")
def dask_batch(cluster: tuple[Any, TaskWatch], tmp_path_factory: pytest.TempPathFactory,
               batch_env: dict[str, str]) -> BatchRun:
    c, _ = cluster
    assert c.scheduler_address.startswith("tcp://127.0.0.1:")
    # --redact here (and not in the local run) so that this run also checks what a redacted batch leaves behind
    return run_batch(tmp_path_factory.mktemp("batch-dask"), "--scheduler", c.scheduler_address, "--redact",
                     env=batch_env)


def test_same_outputs_as_local(dask_batch: BatchRun, local_batch: BatchRun) -> None:
    check_outputs(dask_batch)
    for a in APPS:
        d, loc = dask_batch.result(a["app_id"]), local_batch.result(a["app_id"])
        assert (d["status"], d.get("verdict")) == (loc["status"], loc.get("verdict")), a["app_id"]
        if d["status"] == "done":
            assert d["reasons"] == loc["reasons"] and d["companies"] == loc["companies"]


def test_apps_ran_on_the_cluster_workers_with_a_device_slot(dask_batch: BatchRun,
                                                           cluster: tuple[Any, TaskWatch]) -> None:
    c, watch = cluster
    workers = set(c.scheduler.workers)
    assert len(workers) == 2
    for a in APPS:
        runs = [r for key, rs in watch.ran.items() if key.startswith(f"hpa-{a['app_id']}-") for r in rs]
        assert runs, f"{a['app_id']} did not run on the cluster"
        for addr, resources in runs:
            assert addr in workers and resources == {"device": 1}
    # each worker declares one device slot; the worker, not the scheduler, holds a task until its slot is free
    assert all(ws.resources == {"device": 1} for ws in c.scheduler.workers.values())
    assert dask_batch.result(FAILED)["attempts"] == 1   # a bad input is not retried
    assert all(Path(dask_batch.out, dask_batch.result(a)["report_html"]).is_file() for a in DONE)


def test_unreachable_scheduler_is_one_line(tmp_path: Path, batch_env: dict[str, str]) -> None:
    import socket

    with socket.socket() as s:                 # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    apps_csv = write_apps_csv(tmp_path / "apps.csv", APPS[:1])
    for address in (f"tcp://127.0.0.1:{port}", "127.0.0.1:notaport"):
        r = hpa("batch", apps_csv, "-o", tmp_path / "out", "--scheduler", address, env=batch_env, timeout=60)
        assert r.returncode == 2 and r.stderr.splitlines() == [r.stderr.strip()], r.stderr
        assert r.stderr.startswith(f"hpa: error: {address}: ") and "Traceback" not in r.stderr


def test_cluster_without_device_slots_is_refused(tmp_path: Path, batch_env: dict[str, str]) -> None:
    """Without a `device` resource on any worker the tasks would wait forever: say so instead."""
    from distributed import LocalCluster

    apps_csv = write_apps_csv(tmp_path / "apps.csv", APPS[:1])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", scheduler_port=0,
                      dashboard_address=None, scheduler_kwargs=SCHEDULER_HTTP) as c:
        r = hpa("batch", apps_csv, "-o", tmp_path / "out", "--scheduler", c.scheduler_address, env=batch_env,
                timeout=120)
    assert r.returncode == 2 and "no Dask worker declares a device slot" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out" / APPS[0]["app_id"] / "result.json").exists()


def test_redacted_batch_reports_hold_no_personal_values(dask_batch: BatchRun) -> None:
    for app_id in DONE:
        res = dask_batch.result(app_id)
        run_dir = dask_batch.out / res["run_dir"]
        persona = json.loads((run_dir / "persona.json").read_text(encoding="utf-8"))
        secrets = [str(persona[k]) for k in ("advertising_id", "android_id", "email") if persona.get(k)]
        assert secrets
        if app_id == DONE[0]:    # the tracker app sends them (the check below could fail)
            assert any(s.encode() in (run_dir / "flows.mitm").read_bytes() for s in secrets)
        for name in ("report.json", "report.html"):
            text = (run_dir / name).read_text(encoding="utf-8")
            for s in secrets:
                assert s not in text, (app_id, name)
        assert json.loads((run_dir / "report.json").read_text(encoding="utf-8"))["redacted"] is True
        guide = (dask_batch.out / "index.html").read_text(encoding="utf-8") + (dask_batch.out / "results.csv").read_text()
        assert not any(s in guide for s in secrets)
