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

BUG = ("analyzer/pipeline.py _load_capture_meta trusts meta.json's shape: only OSError/ValueError are turned into "
       "InputError, so RecursionError, AttributeError (meta or meta['app'] not an object, app id not a string) and "
       "Persona.from_dict's ValueError escape; a non-numeric duration_s crashes later in formatting")

CASES = {
    "nested_100000_deep": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "a_list": "[1]",
    "app_not_an_object": '{"app": "x"}',
    "persona_not_an_object": '{"persona": "x"}',
    "persona_bad_lat": '{"persona": {"lat": "north"}}',
    "duration_not_a_number": '{"duration_s": "x"}',
    "app_id_not_a_string": '{"app": {"id": 5, "name": {"x": 1}}}',
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.xfail(reason=BUG, strict=False)
def test_hostile_meta_json(name: str, tmp_path: Path) -> None:
    with JsonlWriter(tmp_path / "flows.jsonl") as w:
        w.write(Flow(id="1", host="a.example", query="email=a@b.example"))
    (tmp_path / "meta.json").write_text(CASES[name], encoding="utf-8")
    try:
        report = analyze([tmp_path])
        emit_report(report, "html", tmp_path / "r.html")
        report_json(report)
    except InputError as e:
        assert "meta.json" in str(e)
