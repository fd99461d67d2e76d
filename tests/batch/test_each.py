"""`hpa analyze DIR/*.har --each`: one report per capture, a bad capture named and skipped, exit 1 then."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.integration.cli import hpa
from tests.integration.conftest import APP_ID, Capture, capture, real_proxy  # noqa: F401


def test_one_report_per_capture(capture: Capture, tmp_path: Path) -> None:  # noqa: F811
    study = tmp_path / "study"
    study.mkdir()
    shutil.copyfile(capture.har, study / "alice.har")
    shutil.copyfile(capture.dump, study / "bob.dump")
    r = hpa("analyze", study / "alice.har", study / "bob.dump", "--each", "--format", "json", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    reports = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").iterdir()}
    assert set(reports) == {"alice.report.json", "bob.report.json"}
    assert [f["path"] for f in reports["alice.report.json"]["input"]["files"]] == [str(study / "alice.har")]
    assert all(rep["app"]["id"] == APP_ID for rep in reports.values())          # inferred from each capture


def test_a_bad_capture_is_named_and_the_others_done(capture: Capture, tmp_path: Path) -> None:  # noqa: F811
    bad = tmp_path / "notes.har"
    bad.write_text("not a capture\n", encoding="utf-8")
    r = hpa("analyze", capture.har, bad, "--each", "--format", "html", "-o", tmp_path / "out")
    assert r.returncode == 1
    assert f"hpa: error: {bad}: " in r.stderr and "1 report(s)" in r.stderr and "1 capture(s) failed" in r.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["flows.report.html"]


def test_captures_with_the_same_name_are_told_apart_by_folder(capture: Capture, tmp_path: Path) -> None:  # noqa: F811
    for group in ("alice", "bob"):
        (tmp_path / group).mkdir()
        shutil.copyfile(capture.har, tmp_path / group / "capture.har")
    r = hpa("analyze", tmp_path / "alice" / "capture.har", tmp_path / "bob" / "capture.har", "--each",
            "--format", "json", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alice-capture.report.json",
                                                                   "bob-capture.report.json"]
