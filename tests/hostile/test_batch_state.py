"""Batch state under careless and hostile use: a 300-character app id, a unicode app id in a scenario, two batches
on one output folder, a killed run's folder (marked partial, left out by `hpa export`), and `attempts` on disk.
Real batches of simulated apps, in real child processes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.batch.task import FAULT_ENV
from analyzer.capture.meta import app_folder_name
from analyzer.fsutil import PARTIAL_MARKER

from .test_faults import write_apps

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

ROOT = Path(__file__).resolve().parents[2]
HPA = [sys.executable, "-m", "analyzer.cli"]


def hpa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*HPA, *args], capture_output=True, text=True, timeout=360, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def results(out: Path) -> dict[str, dict[str, str]]:
    return {r["app_id"]: r for r in csv.DictReader((out / "results.csv").open(encoding="utf-8"))}


def runs_of(app_folder: Path) -> list[Path]:
    return [p for p in app_folder.iterdir() if p.is_dir()]


def test_a_300_character_app_id_does_not_stop_the_batch(tmp_path: Path) -> None:
    long_id = "org." + "a" * 296
    apps = write_apps(tmp_path / "apps.csv", [(long_id, "simulate:notes"), ("org.hpa.demo.notes", "simulate:notes")])
    r = hpa("batch", str(apps), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    res = results(tmp_path / "out")
    assert res[long_id]["status"] == "done" and res["org.hpa.demo.notes"]["status"] == "done"
    folders = [p.name for p in (tmp_path / "out").iterdir() if p.is_dir()]
    assert all(len(n.encode()) <= 100 for n in folders)
    result = json.loads((tmp_path / "out" / app_folder_name(long_id) / "result.json").read_text())
    assert result["app_id"] == long_id and result["attempts"] == 1          # attempts on disk too


def test_unicode_app_id_and_header_in_a_scenario(tmp_path: Path) -> None:
    sc = json.loads((ROOT / "analyzer" / "data" / "capture" / "scenarios" / "notes.json").read_text())
    sc["app_id"] = "org.exämple.ñotes.应用"
    sc["phases"][0]["requests"][0].setdefault("headers", {})["X-Mood"] = "très bien ✓"
    path = tmp_path / "uni.json"
    path.write_text(json.dumps(sc, ensure_ascii=False), encoding="utf-8")
    r = hpa("capture", "--simulate", str(path), "-o", str(tmp_path / "caps"), "--format", "json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    assert report["app"]["id"] == "org.exämple.ñotes.应用"
    meta = next((tmp_path / "caps").glob("*/*/meta.json"))
    cov = json.loads(meta.read_text())["coverage"]
    assert cov["simulated_failures"] == [] and cov["proxy_http_flows"] == cov["simulated_requests"]
    flows = [json.loads(x) for x in meta.with_name("flows.jsonl").read_text().splitlines()]
    sent = [v for f in flows for k, v in f["request_headers"] if k.lower() == "x-mood"]
    assert sent == ["très bien ✓"]                                           # sent as UTF-8, read back whole


def test_two_batches_on_one_output_folder_run_each_app_once(tmp_path: Path) -> None:
    ids = [("org.hpa.demo.notes", "simulate:notes"), ("org.hpa.demo.basic", "simulate:demo-basic")]
    apps = write_apps(tmp_path / "apps.csv", ids)
    out = tmp_path / "out"
    procs = [subprocess.Popen([*HPA, "batch", str(apps), "-o", str(out), "--jobs", "1"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=360)
        assert p.returncode == 0, err[-2000:]
    for app_id, _ in ids:
        assert len(runs_of(out / app_id)) == 1, app_id                      # not run twice
        assert results(out)[app_id]["status"] == "done"


def test_a_killed_run_is_marked_partial_and_export_leaves_it_out(tmp_path: Path) -> None:
    apps = write_apps(tmp_path / "apps.csv", [("org.hpa.demo.notes", "simulate:notes"),
                                              ("org.hpa.demo.basic", "simulate:demo-basic")])
    out = tmp_path / "out"
    r = hpa("batch", str(apps), "-o", str(out), "--jobs", "1", env={FAULT_ENV: "crash:org.hpa.demo.basic"})
    assert r.returncode == 1, r.stderr[-2000:]                  # some app failed (issue 18's exit codes)
    res = results(out)
    assert res["org.hpa.demo.basic"]["status"] == "failed"
    failed = json.loads((out / "org.hpa.demo.basic" / "result.json").read_text())
    assert failed["attempts"] == 2
    killed = runs_of(out / "org.hpa.demo.basic")
    assert len(killed) == 2 and all((k / PARTIAL_MARKER).exists() for k in killed)   # both attempts were killed
    done = runs_of(out / "org.hpa.demo.notes")
    assert not any((d / PARTIAL_MARKER).exists() for d in done)
    # a killed run that got as far as its report (here written afterwards) is still not counted
    r = hpa("analyze", str(killed[0]), "--format", "json", "-o", str(killed[0] / "report.json"))
    assert r.returncode == 0, r.stderr
    r = hpa("export", str(out), "--format", "csv", "-o", str(tmp_path / "tables"))
    assert r.returncode == 0, r.stderr
    assert "exported 1 run(s)" in r.stdout and "1 partial run(s) left out" in r.stdout
    apps_in_tables = {row["app_id"] for row in csv.DictReader((tmp_path / "tables" / "flows.csv").open())}
    assert apps_in_tables == {"org.hpa.demo.notes"}
