"""Run folder naming and permissions, persona documents, known values."""

from __future__ import annotations

import json

import pytest

from analyzer.capture.meta import RunMeta, new_run_id, run_folder, write_run_files
from analyzer.detect.persona import Persona, load_persona, merge_personas
from analyzer.errors import InputError


def test_run_folder_private_and_contained(tmp_path):
    d = run_folder(tmp_path / "caps", "../../etc/evil app", new_run_id(0))
    assert d.parent.parent == tmp_path / "caps" and d.name.startswith("19700101T000000Z-")
    for p in (d, d.parent, d.parent.parent):
        assert p.stat().st_mode & 0o777 == 0o700


def test_run_files_write_the_persona_document(tmp_path):
    # the device's identifiers and the file's email, merged by the one rule (detect.persona.merge_personas)
    persona = merge_personas(Persona(advertising_id="a", android_id="b", custom={"x": "1"}),
                             Persona(advertising_id="A", email="e@example.org", custom={"y": "2"}))
    run = run_folder(tmp_path, "org.example", new_run_id(0))
    write_run_files(run, RunMeta(app_id="org.example", run_id=run.name, backend="device", mode="proxy",
                                 persona=persona))
    doc = json.loads((run / "persona.json").read_text())
    assert doc == {"schema": "hpa.persona/1", "advertising_id": "a", "android_id": "b", "email": "e@example.org",
                   "custom": {"x": "1", "y": "2"}}
    assert json.loads((run / "meta.json").read_text())["persona"] == doc
    assert load_persona(run / "persona.json") == persona      # what the analysis reads back


def test_known_values_errors(tmp_path):
    p = tmp_path / "kv.json"
    p.write_text("[1]")
    with pytest.raises(InputError, match="bad persona"):
        load_persona(str(p))
    with pytest.raises(InputError, match="no such file"):
        load_persona(str(tmp_path / "missing.json"))
    p.write_text(json.dumps({"schema": "hpa.persona/1", "email": "x@example.org"}))
    assert load_persona(str(p)).email == "x@example.org"
