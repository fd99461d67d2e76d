"""One real `hpa batch` run shared by the batch and export tests: simulated devices (real mitmproxy, real TLS,
SDK-format traffic), two apps that work and one whose scenario does not exist."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli import ROOT, hpa

try:
    from analyzer.capture.scenario import list_scenarios
    CAPTURE_ERROR = None
except ImportError as e:          # the capture room has not landed: the batch needs its simulated device
    list_scenarios = None  # type: ignore[assignment]
    CAPTURE_ERROR = f"analyzer.capture cannot import ({e}); hpa batch needs the simulated device"

needs_capture = pytest.mark.skipif(CAPTURE_ERROR is not None, reason=CAPTURE_ERROR or "")

TRACKER_SCENARIO = "cycle"          # health to Meta/Google/AppsFlyer
CLEAN_SCENARIO = "notes"            # own backend and a crash reporter only
APPS = [
    {"app_id": "org.test.cycle", "name": "Cycle Test", "category": "menstrual", "device": f"simulate:{TRACKER_SCENARIO}",
     "policy": str(ROOT / "policies" / "cycle.md"), "data_safety": str(ROOT / "demo" / "data_safety" / "cycle.json")},
    {"app_id": "org.test.notes", "name": "Notes Test", "category": "other", "device": f"simulate:{CLEAN_SCENARIO}"},
    {"app_id": "org.test.broken", "name": "Broken Test", "category": "fitness", "device": "simulate:no-such-scenario"},
]
DONE = ("org.test.cycle", "org.test.notes")
FAILED = "org.test.broken"
# a dask scheduler starts its HTTP server even without a dashboard, on 8787 unless told: on a free port instead,
# so two clusters of one test session do not collide (dask warned "Port 8787 is already in use")
SCHEDULER_HTTP = {"dashboard_address": "127.0.0.1:0"}


def write_apps_csv(path: Path, apps: list[dict[str, Any]]) -> Path:
    cols = ["app_id", "name", "category", "apk", "capture", "policy", "data_safety", "device", "first_party_domains"]
    with open(path, "w", newline="", encoding="utf-8") as fp:
        w = csv.DictWriter(fp, fieldnames=cols)
        w.writeheader()
        for a in apps:
            w.writerow({c: a.get(c, "") for c in cols})
    return path


@dataclass(frozen=True)
class BatchRun:
    apps_csv: Path
    out: Path
    stderr: str
    env: dict[str, str]

    def result(self, app_id: str) -> dict[str, Any]:
        return json.loads((self.out / app_id / "result.json").read_text(encoding="utf-8"))


def run_batch(tmp: Path, *extra: str, env: dict[str, str]) -> BatchRun:
    apps_csv = write_apps_csv(tmp / "apps.csv", APPS)
    out = tmp / "out"
    r = hpa("batch", apps_csv, "-o", out, "--jobs", "2", "--timeout", "120", *extra, env=env)
    assert r.returncode == 1, r.stderr          # one app failed: exit 1, its row says why
    return BatchRun(apps_csv=apps_csv, out=out, stderr=r.stderr, env=env)


@pytest.fixture(scope="session")
def batch_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh mitmproxy confdir: the capture CA is created by this run, as on a fresh machine."""
    if CAPTURE_ERROR:
        pytest.skip(CAPTURE_ERROR)
    assert {TRACKER_SCENARIO, CLEAN_SCENARIO} <= set(list_scenarios())
    return {"HPA_MITM_CONFDIR": str(tmp_path_factory.mktemp("mitmconf"))}


@pytest.fixture(scope="session")
def local_batch(tmp_path_factory: pytest.TempPathFactory, batch_env: dict[str, str]) -> BatchRun:
    return run_batch(tmp_path_factory.mktemp("batch-local"), env=batch_env)
