"""Scenario files: every bundled one loads and renders; encodings are exact."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from urllib.parse import parse_qs

import pytest

from analyzer.capture.scenario import (PHASES, encode_protobuf, list_scenarios, load_scenario, render_requests,
                                       render_value)
from analyzer.errors import InputError

EXPECTED = {"demo-basic", "cycle", "mindful", "stride", "notes", "grossesse"}


def _all(name):
    sc = load_scenario(name)
    return sc, {ph: render_requests(sc, ph, 1_700_000_000.0, "run-1") for ph in PHASES}


def test_bundled_scenarios_load_and_render():
    assert EXPECTED <= set(list_scenarios())
    for name in EXPECTED:
        sc, reqs = _all(name)
        assert sc.app_id and sc.persona.get("advertising_id") and sc.source
        assert sum(len(r) for r in reqs.values()) > 0
        for rs in reqs.values():
            for r in rs:
                assert r.url.startswith("https://") and "${" not in r.url
                assert b"${" not in r.body


def test_protobuf_wire_encoding():
    # field 1 varint 150 -> 08 96 01 (protobuf docs); field 2 string "testing" -> 12 07 74657374696e67
    assert encode_protobuf([{"field": 1, "varint": 150}]).hex() == "089601"
    assert encode_protobuf([{"field": 2, "string": "testing"}]).hex() == "120774657374696e67"
    assert encode_protobuf([{"field": 3, "message": [{"field": 1, "varint": 150}]}]).hex() == "1a03089601"
    assert encode_protobuf([{"field": 1, "varint": -1}]).hex() == "08" + "ff" * 9 + "01"


def test_transforms():
    var = {"email": " Sam@Example.org", "lat": "51.5", "n": "3"}
    assert render_value({"$sha256": "${email}"}, var) == hashlib.sha256(b"sam@example.org").hexdigest()
    assert json.loads(base64.b64decode(render_value({"$base64json": [{"a": "${n}"}]}, var))) == [{"a": "3"}]
    assert render_value({"$json": {"k": "${n}"}}, var) == '{"k":"3"}'
    assert render_value({"$number": "${lat}"}, var) == 51.5 and render_value({"$number": "${n}"}, var) == 3


def test_cycle_firebase_is_gzip_protobuf_with_aaid_field_19():
    sc, reqs = _all("cycle")
    fb = next(r for r in reqs["pre_consent"] if r.host == "app-measurement.com")
    assert dict(fb.headers)["Content-Encoding"] == "gzip" and fb.http2
    raw = gzip.decompress(fb.body)
    aaid = sc.persona["advertising_id"].encode()
    assert bytes([0x9A, 0x01, len(aaid)]) + aaid in raw    # tag of field 19 (varint 154), length-delimited
    meta = next(r for r in reqs["interaction"] if r.host == "graph.facebook.com")
    assert dict(meta.headers)["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="custom_events"' in meta.body and b"pregnancy_test_logged" in meta.body


def test_mindful_encodings():
    sc, reqs = _all("mindful")
    mp = next(r for r in reqs["interaction"] if r.host == "api.mixpanel.com")
    data = json.loads(base64.b64decode(parse_qs(mp.body.decode())["data"][0]))
    assert data[0]["properties"]["phq9_score"] == 17
    meta = next(r for r in reqs["interaction"] if r.host == "graph.facebook.com")
    form = parse_qs(gzip.decompress(meta.body).decode())
    assert json.loads(form["ud"][0])["em"] == hashlib.sha256(sc.persona["email"].encode()).hexdigest()
    sentry = next(r for r in reqs["interaction"] if "sentry" in r.host)
    assert sc.persona["email"].encode() in sentry.body and len(sentry.body.splitlines()) == 3


def test_bad_scenarios(tmp_path):
    with pytest.raises(InputError, match="unknown scenario"):
        load_scenario("nope")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="scenario is not valid JSON"):
        load_scenario(str(bad))
    bad.write_text(json.dumps({"schema": "hpa.scenario/1", "app_id": "a",
                               "phases": [{"name": "pre_consent", "requests": [{"url": "https://h/${nope}"}]}]}))
    sc = load_scenario(str(bad))
    with pytest.raises(InputError, match="phase pre_consent request 0: KeyError"):
        render_requests(sc, "pre_consent", 0, "r")
    bad.write_text(json.dumps({"schema": "hpa.scenario/1", "app_id": "a", "phases": [{"name": "lunch"}]}))
    with pytest.raises(InputError, match="bad phase"):
        load_scenario(str(bad))
