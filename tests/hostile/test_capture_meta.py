"""A capture folder made elsewhere is hostile input too: its meta.json (app, persona, duration) must be validated,
a bad one being one clear InputError, never a crash deep in the pipeline or the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.model import Flow
from analyzer.pipeline import analyze
from analyzer.report import emit_report, report_json
from analyzer.traffic import JsonlWriter

CASES = {
    "nested_100000_deep": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "nested_500_deep": '{"custom":' * 500 + "1" + "}" * 500,      # parses, but would overflow the report's asdict
    "lone_surrogate": '{"app": {"id": "\\ud800"}}',
    "persona_lat_huge_int": '{"persona": {"lat": 1' + "0" * 400 + ', "lon": 1}}',
    "a_list": "[1]",
    "app_not_an_object": '{"app": "x"}',
    "persona_not_an_object": '{"persona": "x"}',
    "persona_bad_lat": '{"persona": {"lat": "north"}}',
    "duration_not_a_number": '{"duration_s": "x"}',
    "app_id_not_a_string": '{"app": {"id": 5, "name": {"x": 1}}}',
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_meta_json(name: str, tmp_path: Path) -> None:
    with JsonlWriter(tmp_path / "flows.jsonl") as w:
        w.write(Flow(id="1", host="a.example", query="email=a@b.example"))
    (tmp_path / "meta.json").write_text(CASES[name], encoding="utf-8")
    with pytest.raises(InputError, match="meta.json"):
        report = analyze([tmp_path])
        emit_report(report, "html", tmp_path / "r.html")     # reached only if analyze let it through
        report_json(report)


def test_meta_json_written_by_a_capture_still_reads(tmp_path: Path) -> None:
    with JsonlWriter(tmp_path / "flows.jsonl") as w:
        w.write(Flow(id="1", host="a.example", query="email=a@b.example"))
    (tmp_path / "meta.json").write_text('{"app": {"id": "org.x", "name": "X", "first_party_domains": ["x.org"]},'
                                        ' "duration_s": 12.5, "phases": [{"name": "interaction"}],'
                                        ' "persona": {"email": "a@b.example"}}', encoding="utf-8")
    report = analyze([tmp_path])
    assert report.app == {"id": "org.x", "name": "X"} and report.coverage.duration_s == 12.5
    assert any(df.data_type == "personal_info.email" for df in report.data_flows)


def test_meta_json_with_null_app_reads(tmp_path: Path) -> None:
    with JsonlWriter(tmp_path / "flows.jsonl") as w:
        w.write(Flow(id="1", host="a.example", query="email=a@b.example"))
    (tmp_path / "meta.json").write_text('{"app": null, "persona": {"email": "a@b.example"}}', encoding="utf-8")
    report = analyze([tmp_path])
    assert report.app["id"] is None and report.app["inferred"]["app_id"] is None    # nothing names the app
    assert any(df.data_type == "personal_info.email" for df in report.data_flows)
