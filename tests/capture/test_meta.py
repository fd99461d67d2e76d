"""Run folder naming and permissions, persona documents, known values."""

from __future__ import annotations

import json

import pytest

from analyzer.capture.meta import (load_known_values, merge_persona, new_run_id, persona_document, run_folder)
from analyzer.errors import InputError


def test_run_folder_private_and_contained(tmp_path):
    d = run_folder(tmp_path / "caps", "../../etc/evil app", new_run_id(0))
    assert d.parent.parent == tmp_path / "caps" and d.name.startswith("19700101T000000Z-")
    for p in (d, d.parent, d.parent.parent):
        assert p.stat().st_mode & 0o777 == 0o700


def test_persona_merge_and_document(tmp_path):
    merged = merge_persona({"advertising_id": "a", "android_id": "b", "custom": {"x": "1"}},
                           {"advertising_id": "A", "email": "e@example.org", "custom": {"y": "2"}})
    doc = persona_document(merged)
    assert doc == {"schema": "hpa.persona/1", "advertising_id": "A", "android_id": "b", "email": "e@example.org",
                   "custom": {"x": "1", "y": "2"}}
    from analyzer.detect.persona import Persona
    assert Persona.from_dict(doc).advertising_id == "A"      # what the detect room reads back


def test_known_values_errors(tmp_path):
    assert load_known_values(None) == {}
    p = tmp_path / "kv.json"
    p.write_text("[1]")
    with pytest.raises(InputError, match="not an hpa.persona/1"):
        load_known_values(str(p))
    with pytest.raises(InputError, match="not a readable persona"):
        load_known_values(str(tmp_path / "missing.json"))
    p.write_text(json.dumps({"schema": "hpa.persona/1", "email": "x@example.org"}))
    assert load_known_values(str(p))["email"] == "x@example.org"
