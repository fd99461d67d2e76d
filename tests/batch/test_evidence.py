"""`hpa export RUN --evidence`: an archive a third party can check with sha256sum and by re-running the analysis."""

from __future__ import annotations

import json
import shlex
import subprocess
import zipfile
from pathlib import Path

from tests.integration.cli import hpa

from .conftest import DONE, BatchRun, needs_capture

pytestmark = needs_capture


def test_evidence_pack_checks_out_and_reproduces(local_batch: BatchRun, tmp_path: Path) -> None:
    app_dir = local_batch.out / DONE[0]
    r = hpa("export", app_dir, "--evidence", "-o", tmp_path / "packs", env=local_batch.env)
    assert r.returncode == 0, r.stderr
    [pack] = list((tmp_path / "packs").glob("evidence-*.zip"))
    assert pack.stat().st_mode & 0o777 == 0o600
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(pack) as z:
        z.extractall(unpacked)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    roles = {f["role"] for f in manifest["files"]}
    assert {"capture", "report", "policy", "data_safety"} <= roles
    assert manifest["tool"]["hpa"] and manifest["tool"]["mitmproxy"]
    [run] = manifest["runs"]
    assert run["capture_started_at"] and run["device"] and run["app"]["id"] == DONE[0]
    # a third party re-runs the analysis from the archive alone and gets the same data flows and label
    cmd = shlex.split(run["reproduce"].split("&& ", 1)[1])
    assert cmd[0] == "hpa"
    again = hpa(*cmd[1:], cwd=unpacked / run["run"], env=local_batch.env)
    assert again.returncode == 0, again.stderr
    fresh = json.loads(again.stdout)
    saved = json.loads((unpacked / run["run"] / "report.json").read_text(encoding="utf-8"))
    key = lambda d: (d["data_type"], d["recipient"]["domain"], d["consistency"], d["data_safety"], d["evidence_count"])  # noqa: E731
    assert sorted(map(key, fresh["data_flows"])) == sorted(map(key, saved["data_flows"]))
    assert fresh["label"]["verdict"] == saved["label"]["verdict"]


def test_evidence_of_a_folder_without_reports_exits_2(tmp_path: Path) -> None:
    r = hpa("export", tmp_path, "--evidence")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
