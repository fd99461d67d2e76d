"""`hpa batch` over what a study already has: captures made elsewhere (HAR exported by mitmproxy's SaveHar from
flows recorded by a real mitmproxy) and APK-only rows; exit codes; no retry of bad inputs; a capture error retried."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.cli import ROOT, hpa
from tests.integration.conftest import APP_ID, Capture, capture, real_proxy  # noqa: F401  (fixtures reused)

from .conftest import needs_capture, write_apps_csv
from .test_batch_local import guide_cards

STATIC_ONLY = "org.hpa.demo.notes"
BROKEN = "org.example.broken"


_RUN: dict[str, tuple[Path, Path, object]] = {}


@pytest.fixture
def study(tmp_path_factory: pytest.TempPathFactory, capture: Capture) -> tuple[Path, Path, object]:  # noqa: F811
    """One batch run, made on first use and shared by the tests below."""
    if "run" not in _RUN:
        _RUN["run"] = _run_study(tmp_path_factory, capture)
    return _RUN["run"]


def _run_study(tmp_path_factory: pytest.TempPathFactory, cap: Capture) -> tuple[Path, Path, object]:
    tmp = tmp_path_factory.mktemp("study")
    (tmp / "hars" / "bloom").mkdir(parents=True)
    shutil.copyfile(cap.har, tmp / "hars" / "bloom" / "session1.har")      # a folder of HARs stands for its files
    (tmp / "hars" / "broken.har").write_text("notes about the study, not a capture\n", encoding="utf-8")
    shutil.copyfile(ROOT / "demo" / "apks" / "notes.apk", tmp / "notes.apk")
    write_apps_csv(tmp / "apps.csv", [
        {"app_id": APP_ID, "name": "Bloom", "category": "menstrual", "capture": "hars/bloom"},
        {"app_id": STATIC_ONLY, "name": "Notes", "apk": "notes.apk"},
        {"app_id": BROKEN, "name": "Broken", "capture": "hars/broken.har"},
    ])
    out = tmp / "out"
    r = hpa("batch", "apps.csv", "-o", out, "--jobs", "2", "--timeout", "120", cwd=tmp)   # paths relative to apps.csv
    return out, tmp, r


def test_exit_1_when_an_app_failed(study) -> None:
    out, _, r = study
    assert r.returncode == 1, r.stderr
    assert "2 app(s) done, 1 failed" in r.stderr


def test_captures_made_elsewhere_are_analyzed(study) -> None:
    out, _, _ = study
    res = json.loads((out / APP_ID / "result.json").read_text(encoding="utf-8"))
    assert res["status"] == "done"
    report = json.loads((out / res["report_json"]).read_text(encoding="utf-8"))
    assert [f["format"] for f in report["input"]["files"]] == ["har"] and report["input"]["flows_read"] == 4
    assert report["app"] == {"id": APP_ID, "name": "Bloom"}
    assert res["verdict"] == report["label"]["verdict"] == "privacy_not_included"
    assert any(h.endswith("→Meta") for h in res["health_shared"])


def test_apk_only_row_gets_a_static_report(study) -> None:
    out, _, _ = study
    res = json.loads((out / STATIC_ONLY / "result.json").read_text(encoding="utf-8"))
    assert res["status"] == "done" and res["flows"] == 0
    static = json.loads((out / STATIC_ONLY / "static.json").read_text(encoding="utf-8"))
    assert static["package"] == STATIC_ONLY
    report = json.loads((out / res["report_json"]).read_text(encoding="utf-8"))
    assert report["static"]["package"] == STATIC_ONLY and report["label"]["verdict"] == "inconclusive"


def test_a_bad_capture_fails_once_with_its_reason(study) -> None:
    out, tmp, _ = study
    res = json.loads((out / BROKEN / "result.json").read_text(encoding="utf-8"))
    assert res["status"] == "failed" and res["attempts"] == 1
    assert str(tmp / "hars" / "broken.har") in res["error"]
    row = pd.read_csv(out / "results.csv").set_index("app_id").loc[BROKEN]
    assert row["status"] == "failed" and "broken.har" in row["error"]


def test_the_guide_links_every_report(study) -> None:
    out, _, _ = study
    cards = guide_cards(out)
    assert set(cards) == {APP_ID, STATIC_ONLY, BROKEN}
    for app_id in (APP_ID, STATIC_ONLY):
        [link] = [h for h in cards[app_id]["links"] if h.endswith("report.html")]
        assert (out / link).is_file()
    assert "FAILED" in cards[BROKEN]["text"]


@needs_capture
def test_a_capture_error_is_retried_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A device that went away may be back: a capture error (unlike a bad input) gets a second attempt."""
    from analyzer.batch import BatchOptions, run_batch
    from analyzer.batch.task import FAULT_ENV

    apps = write_apps_csv(tmp_path / "apps.csv", [{"app_id": "org.test.gone", "device": "simulate:notes"}])
    monkeypatch.setenv(FAULT_ENV, "device_gone:org.test.gone")
    monkeypatch.setenv("HPA_MITM_CONFDIR", str(tmp_path / "mitmconf"))
    result = run_batch(BatchOptions(apps_csv=str(apps), jobs=1, output=str(tmp_path / "out"), timeout=60))
    res = json.loads((tmp_path / "out" / "org.test.gone" / "result.json").read_text(encoding="utf-8"))
    assert res["status"] == "failed" and res["attempts"] == 2 and "disappeared" in res["error"]
    assert (result.done, result.failed, result.exit_code) == (0, 1, 1)


def test_an_apps_child_process_loads_no_terminal_ui_and_no_tldextract():
    """An app started as `python -m analyzer.batch.task` (HPA_BATCH_ZYGOTE=0, or no zygote) pays its imports itself,
    and so does each Dask worker's zygote: none of rich (the batch's progress is drawn in the parent) or tldextract
    (the suffix list is read without it)."""
    import subprocess
    import sys

    code = ("import sys; import analyzer.batch.task, analyzer.detect.personal; "
            "analyzer.detect.personal.find_email('ana@flo.health'); "
            "print(sorted(m for m in ('rich', 'tldextract', 'requests') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_apps_started_as_fresh_interpreters_give_the_same_rows(study, tmp_path: Path) -> None:
    """HPA_BATCH_ZYGOTE=0: each app is `python -m analyzer.batch.task` rather than a fork of the warm zygote; the
    same results, failures included."""
    out, tmp, _ = study
    fresh = tmp_path / "fresh"
    r = hpa("batch", "apps.csv", "-o", fresh, "--jobs", "2", "--timeout", "120", cwd=tmp,
            env={"HPA_BATCH_ZYGOTE": "0"})
    assert r.returncode == 1 and "2 app(s) done, 1 failed" in r.stderr, r.stderr
    volatile = {"started", "duration_s", "run_dir", "report_html", "report_json", "partial_capture"}   # timed names
    for app in (APP_ID, STATIC_ONLY, BROKEN):
        a, b = (json.loads((o / app / "result.json").read_text(encoding="utf-8")) for o in (out, fresh))
        assert {k: v for k, v in a.items() if k not in volatile} == {k: v for k, v in b.items() if k not in volatile}
