"""`hpa batch apps.csv` with local device slots: outputs, failures, resume and apps.csv validation."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.integration.cli import hpa

from .conftest import APPS, DONE, FAILED, BatchRun, needs_capture, write_apps_csv

pytestmark = needs_capture
VERDICTS = {"privacy_not_included", "concerns", "no_issues_observed", "inconclusive"}


class GuideCards(HTMLParser):
    """index.html as {app_id: {"text": visible text of its card, "links": [href...]}}."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict[str, Any]] = {}
        self._app: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article" and a.get("data-app"):
            self._app = a["data-app"]
            self.cards[self._app] = {"text": "", "links": []}
        elif tag == "a" and self._app and a.get("href"):
            self.cards[self._app]["links"].append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._app = None

    def handle_data(self, data: str) -> None:
        if self._app:
            self.cards[self._app]["text"] += data


def guide_cards(out: Path) -> dict[str, dict[str, Any]]:
    p = GuideCards()
    p.feed((out / "index.html").read_text(encoding="utf-8"))
    return p.cards


def check_outputs(run: BatchRun) -> pd.DataFrame:
    """What every batch must leave behind, whichever scheduler ran it. Returns results.csv."""
    out = run.out
    csv_df = pd.read_csv(out / "results.csv")
    pq = pd.read_parquet(out / "results.parquet")
    assert list(csv_df["app_id"]) == [a["app_id"] for a in APPS]      # apps.csv order, one row each
    assert list(pq["app_id"]) == list(csv_df["app_id"])
    for col in ("status", "verdict", "category", "name"):
        assert list(pq[col].fillna("")) == list(csv_df[col].fillna("")), col
    assert list(pq["third_party_data_flows"].fillna(-1)) == list(csv_df["third_party_data_flows"].fillna(-1))
    status = dict(zip(csv_df["app_id"], csv_df["status"]))
    assert status == {DONE[0]: "done", DONE[1]: "done", FAILED: "failed"}

    cards = guide_cards(out)
    assert set(cards) == {a["app_id"] for a in APPS}
    for app_id in DONE:
        res = run.result(app_id)
        assert res["status"] == "done" and res["verdict"] in VERDICTS
        card = cards[app_id]
        assert res["name"] in card["text"]
        assert res["verdict"].replace("_", " ").upper() in card["text"]
        [link] = [h for h in card["links"] if h.endswith("report.html")]
        assert (out / link).is_file(), "the guide links to a report that does not exist"
        report = json.loads((out / res["report_json"]).read_text(encoding="utf-8"))
        assert report["schema"] == "hpa.report/1" and report["app"]["id"] == app_id
        assert report["label"]["verdict"] == res["verdict"]
        row = csv_df[csv_df["app_id"] == app_id].iloc[0]
        assert row["verdict"] == res["verdict"] and row["third_party_data_flows"] == res["third_party_data_flows"]
    assert "FAILED" in cards[FAILED]["text"] and "no-such-scenario" in cards[FAILED]["text"]

    cycle = run.result(DONE[0])
    assert cycle["verdict"] == "privacy_not_included"
    assert "Meta" in cycle["companies"] and any(h.endswith("→Meta") for h in cycle["health_shared"])
    notes = run.result(DONE[1])
    assert notes["verdict"] == "no_issues_observed" and notes["health_shared"] == []
    assert notes["flows"] > 0, "the clean app's traffic was not intercepted"
    return csv_df


def test_outputs(local_batch: BatchRun) -> None:
    check_outputs(local_batch)
    assert "2 app(s) done, 1 failed" in local_batch.stderr


def test_reports_use_policy_and_data_safety(local_batch: BatchRun) -> None:
    res = local_batch.result(DONE[0])
    report = json.loads((local_batch.out / res["report_json"]).read_text(encoding="utf-8"))
    assert report["policy"] and report["data_safety"]
    third = [d for d in report["data_flows"] if d["recipient"]["party"] == "third"]
    assert any(d["consistency"] is not None for d in third) and any(d["data_safety"] is not None for d in third)


def test_failing_app_with_a_bad_input_is_recorded_not_retried(local_batch: BatchRun) -> None:
    res = local_batch.result(FAILED)
    assert res["status"] == "failed" and res["verdict"] is None
    assert res["attempts"] == 1           # an unknown scenario fails the same way twice
    assert "no-such-scenario" in res["error"] and "unknown scenario" in res["error"]
    row = pd.read_csv(local_batch.out / "results.csv").set_index("app_id").loc[FAILED]
    assert row["status"] == "failed" and "unknown scenario" in row["error"]


def test_files_are_private(local_batch: BatchRun) -> None:
    for name in ("results.csv", "results.parquet", "index.html"):
        assert (local_batch.out / name).stat().st_mode & 0o077 == 0, name
    assert (local_batch.out / DONE[0]).stat().st_mode & 0o077 == 0


def test_run_folder_is_under_the_app(local_batch: BatchRun) -> None:
    res = local_batch.result(DONE[0])
    assert res["run_dir"].split("/")[0] == DONE[0]


def test_resume_skips_done_apps(local_batch: BatchRun, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(local_batch.out, out, copy_function=shutil.copy2)   # keep the shared run untouched
    before = {a["app_id"]: (out / a["app_id"] / "result.json").stat().st_mtime_ns for a in APPS}
    runs_before = sorted(p.name for p in out.glob("*/*/report.json"))
    r = hpa("batch", local_batch.apps_csv, "-o", out, "--jobs", "2", "--timeout", "120", "--resume",
            env=local_batch.env)
    assert r.returncode == 1, r.stderr             # the failed app fails again
    assert "resuming: 2 app(s) already done" in r.stderr
    for app_id in DONE:
        assert (out / app_id / "result.json").stat().st_mtime_ns == before[app_id], app_id
    assert (out / FAILED / "result.json").stat().st_mtime_ns != before[FAILED]   # the failed one ran again
    assert sorted(p.name for p in out.glob("*/*/report.json")) == runs_before   # no new capture of done apps
    check_outputs(BatchRun(apps_csv=local_batch.apps_csv, out=out, stderr=r.stderr, env=local_batch.env))


BAD_CSV = {
    "missing": None,
    "empty": "",
    "header-only": "app_id,name,category,device\n",
    "no-app-id-column": "name,category,device\nCycle,menstrual,simulate:cycle\n",
    "path-as-app-id": "app_id,name,category,device\n../../etc,Evil,other,simulate:cycle\n",
    "duplicate": "app_id,name,category,device\norg.a.b,A,other,simulate:notes\norg.a.b,B,other,simulate:notes\n",
    "bad-category": "app_id,name,category,device\norg.a.b,A,dating,simulate:notes\n",
    "bad-device": "app_id,name,category,device\norg.a.b,A,other,usb:1234\n",
    "missing-policy": "app_id,name,category,policy,device\norg.a.b,A,other,nope/policy.md,simulate:notes\n",
    "missing-capture": "app_id,name,category,capture\norg.a.b,A,other,caps/a.har;caps/b.har\n",
    "manual-device": "app_id,name,category,device\norg.a.b,A,other,manual\n",
    "nothing-to-run": "app_id,name,category,device,capture,apk\norg.a.b,A,other,,,\n",
    "device-and-capture": "app_id,name,category,device,capture\norg.a.b,A,other,simulate:notes,x.har\n",
}


CLI_CASES = ("missing", "path-as-app-id", "bad-device", "missing-policy", "missing-capture")      # the others are checked in-process (CLI start is slow)


@pytest.mark.parametrize("case", CLI_CASES)
def test_apps_csv_errors_exit_2_with_one_line(case: str, tmp_path: Path) -> None:
    p = tmp_path / "apps.csv"
    if BAD_CSV[case] is not None:
        p.write_text(BAD_CSV[case], encoding="utf-8")
    out = tmp_path / "out"
    r = hpa("batch", p, "-o", out, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"hpa: error: {p}: "), r.stderr
    assert "Traceback" not in r.stderr
    assert not (out / "results.csv").exists() and not (out / "org.a.b").exists()


@pytest.mark.parametrize("case", [c for c in BAD_CSV if c not in CLI_CASES])
def test_apps_csv_validation(case: str, tmp_path: Path) -> None:
    from analyzer.batch import read_apps_csv
    from analyzer.errors import InputError

    p = tmp_path / "apps.csv"
    p.write_text(BAD_CSV[case] or "", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_apps_csv(p)
    assert e.value.path == str(p) and "\n" not in str(e.value)
    if case in ("duplicate", "bad-category"):
        assert "line 3" in str(e.value) if case == "duplicate" else "line 2" in str(e.value)


def test_apps_csv_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    from analyzer.batch import read_apps_csv

    p = write_apps_csv(tmp_path / "apps.csv", [{"app_id": "org.a.b", "name": "A", "policy": "p/a.md",
                                                 "data_safety": "ds.json", "device": "simulate:notes",
                                                 "first_party_domains": "a.example; b.example"}])
    [spec] = read_apps_csv(p)
    assert spec.policy == str(tmp_path / "p" / "a.md") and spec.data_safety == str(tmp_path / "ds.json")
    assert spec.first_party_domains == ["a.example", "b.example"] and spec.device_kind == ("simulate", "notes")


def test_a_run_folder_analyzes_again_to_the_same_report(local_batch: BatchRun) -> None:
    """A capture folder written by the batch is itself an input of `hpa analyze` (meta, persona and flows)."""
    spec = APPS[0]
    res = local_batch.result(spec["app_id"])
    saved = json.loads((local_batch.out / res["report_json"]).read_text(encoding="utf-8"))
    r = hpa("analyze", local_batch.out / res["run_dir"], "--app-id", spec["app_id"], "--policy", spec["policy"],
            "--data-safety", spec["data_safety"], "--format", "json", env=local_batch.env)
    assert r.returncode == 0, r.stderr
    again = json.loads(r.stdout)

    def key(d: dict[str, Any]) -> tuple:
        return (d["data_type"], d["recipient"]["domain"], d["recipient"]["party"], tuple(d["details"]),
                d["consistency"], d["data_safety"], tuple(e["flow_id"] for e in d["evidence"]))

    assert [key(d) for d in again["data_flows"]] == [key(d) for d in saved["data_flows"]]
    assert again["label"] == saved["label"] and again["input"]["files"][0]["format"] == "capture_dir"
