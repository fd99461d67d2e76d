"""The speed-ups (the Detector's location and host+path caches, remembered non-base64 strings, header names) must
not change a result: a warm cache gives exactly what a cold one gives, per-flow state (coordinates, pairs) belongs
to each request, budgets are still counted, and every cache stays bounded."""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
from pathlib import Path

import pytest

from analyzer.decode import DEFAULT_LIMITS, Limits, decode_flow
from analyzer.decode import walk as walk_mod
from analyzer.decode.flow import _walk_flow
from analyzer.detect import Detector, Persona
from analyzer.detect import detector as detector_mod
from analyzer.model import Flow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from decode_mix import make_flows  # noqa: E402

PERSONA = Persona(advertising_id="6fc53a3d-2fb2-4079-b849-e9484a8afd3b", android_id="082f33f68c9aad71",
                  email="camille.martin@example.fr", phone="+33 6 12 34 56 78", name="Camille Martin",
                  birth_date="1992-05-17", lat=48.8566, lon=2.3522, custom={"weight": "63.5"})


def _key(dets):
    return sorted((d.data_type, d.details, d.method, d.confidence, d.location, d.excerpt, d.flow_id) for d in dets)


def _segment(i: int, lat: str, lon: str, mood: str) -> Flow:
    body = {"batch": [{"type": "track", "event": "mood_logged", "properties": {"mood": mood},
                       "context": {"location": {"latitude": lat, "longitude": lon},
                                   "device": {"advertisingId": PERSONA.advertising_id}}}]}
    return Flow(id=f"s{i}", host="api.segment.io", method="POST", path="/v1/import",
                request_headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                request_body=gzip.compress(json.dumps(body).encode()))


@pytest.mark.parametrize("persona", [None, PERSONA])
def test_warm_memo_gives_what_a_cold_detector_gives(persona):
    flows = make_flows(400, seed=3)
    flows += [dataclasses.replace(f, id=f"again{i}") for i, f in enumerate(flows)]   # every field seen twice
    warm = Detector(persona)
    for f in flows:
        fields = decode_flow(f).fields
        assert _key(warm.detect(f, fields)) == _key(Detector(persona).detect(f, fields)), f.id
    assert warm._slots and warm._flows                        # the caches were used, not bypassed


def test_replayed_fields_rebuild_per_flow_state():
    """Coordinates are joined after the loop from per-flow state: a memoized latitude must still pair with the
    longitude of its own request, and point at its own flow."""
    det = Detector(PERSONA)
    for i in range(3):                                   # third time: both fields come from the memo
        f = _segment(i, "48.8566", "2.3522", "sad")
        dets = det.detect(f, decode_flow(f).fields)
        loc = [d for d in dets if d.data_type.startswith("location.")]
        assert loc and all(d.flow_id == f.id for d in dets)
        assert any(d.method == "known_value" for d in loc)
    f = _segment(9, "48.8566", "-70.1234", "sad")        # same latitude (memo), another longitude: not the persona
    dets = det.detect(f, decode_flow(f).fields)
    assert not [d for d in dets if d.data_type.startswith("location.") and d.method == "known_value"]


def test_detector_caches_are_bounded(monkeypatch):
    monkeypatch.setattr(detector_mod, "_SLOTS_MAX", 50)
    monkeypatch.setattr(detector_mod, "_FLOWS_MAX", 8)
    det = Detector(PERSONA)
    for f in make_flows(300, seed=5) * 2:
        det.detect(f, decode_flow(f).fields)
        assert len(det._slots) <= 50
        assert len(det._flows) <= 8


def test_not_base64_verdict_keeps_the_byte_budget():
    """A string remembered as 'not base64' still counts the bytes its decoding would produce, so a flow that
    repeats it hits max_decoded_bytes exactly as before."""
    words = [f"analytics_kotlin_{i:04d}_module" for i in range(40)]
    flow = Flow(id="b", host="x.example", path="/", query="&".join(f"k{i}={w}" for i, w in enumerate(words)))
    walk_mod._NOT_B64.clear()
    cold = decode_flow(flow)
    assert all(w in walk_mod._NOT_B64 for w in words)
    warm = decode_flow(flow)
    assert warm.fields == cold.fields and warm.bounds_hit == cold.bounds_hit == []
    produced = []
    walk_mod._NOT_B64.clear()
    for _ in range(2):                           # cold, then from the remembered verdicts
        w = walk_mod.Walker(DEFAULT_LIMITS, "b")
        _walk_flow(w, flow)
        produced.append(w.produced)
    assert produced[0] == produced[1] > 0
    tight = dataclasses.replace(DEFAULT_LIMITS, max_decoded_bytes=200)
    cold_t = decode_flow(flow, tight)            # other limits: the shared verdicts are not used
    assert "max_decoded_bytes" in cold_t.bounds_hit


def test_not_base64_cache_only_for_default_limits_and_bounded(monkeypatch):
    monkeypatch.setattr(walk_mod, "_NOT_B64_MAX", 10)
    walk_mod._NOT_B64.clear()
    flow = Flow(id="c", host="x.example", path="/",
                query="&".join(f"k{i}=fb_mobile_event_number_{i:03d}" for i in range(30)))
    decode_flow(flow, Limits(max_fields=500))
    assert not walk_mod._NOT_B64
    decode_flow(flow)
    assert 0 < len(walk_mod._NOT_B64) <= 10
