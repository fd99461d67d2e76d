"""The detector's knowledge lives in data files: they must be consistent with the report contract."""

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.detect import Detector, Persona
from analyzer.detect.adapters import ROLES, load_adapters
from analyzer.detect.knowledge import IGNORE, adapters_raw, details_table, keys, lexicon_data
from analyzer.detect.shapes import check
from analyzer.model import DATA_TYPES, Field, Flow

from .helpers import json_fields


def test_lexicon_terms_map_to_documented_details():
    table = details_table()
    for phrase, term in lexicon_data().terms.items():
        if term.strength == IGNORE:
            continue
        assert term.data_type in DATA_TYPES, phrase
        assert table.get(term.details, "").startswith(term.data_type.split(".")[0]), (phrase, term.details)


def test_lexicon_is_bilingual_and_large_enough():
    terms = lexicon_data().terms
    assert len(terms) > 500
    for fr in ("grossesse", "regles", "humeur", "anxiete", "depression", "poids", "sommeil", "pilule", "rapport sexuel",
               "symptome", "medicament", "sopk", "endometriose", "tdah"):
        assert fr in terms, fr


def test_identifier_keys_use_known_shapes_and_details():
    table = details_table()
    for key, rules in keys()["identifiers"].items():
        for shape, details in rules:
            check(shape, "x" * 10)          # raises on an unknown shape
            assert details in table, key


def test_adapters_are_valid():
    table = details_table()
    adapters = load_adapters()
    assert {a.name for a in adapters} >= {"meta_app_events", "firebase_app_measurement", "appsflyer", "adjust",
                                          "branch", "amplitude", "mixpanel", "segment", "onesignal", "braze",
                                          "clevertap", "sentry", "bugsnag", "appmetrica", "flurry", "google_ads"}
    for a in adapters_raw():
        for f in a["fields"]:
            assert f["role"] in ROLES
            if f["role"] in ("id", "hashed"):
                assert f["data_type"] in DATA_TYPES and f["details"] in table, f


def test_detector_pickles_for_worker_processes():
    det = Detector(Persona(email="jane@example.org"))
    det2 = pickle.loads(pickle.dumps(det))
    got = det2.detect(Flow(id="f", host="x.org"), json_fields({"e": "jane@example.org"}))
    assert [d.method for d in got] == ["known_value"]


def test_every_emitted_detection_is_well_formed():
    det = Detector(Persona(advertising_id="60e5d787-7b10-4341-8289-a784280e7f1f", email="jane@example.org"))
    payload = {"gps_adid": "60e5d787-7b10-4341-8289-a784280e7f1f", "mood": "anxious", "email": "jane@example.org",
               "lat": 48.85661, "lon": 2.35222, "dob": "1991-04-23", "phone": "+33612345678",
               "event": "pregnancy_week_12", "note": "x" * 500}
    dets = det.detect(Flow(id="f9", host="x.org"), json_fields(payload))
    assert dets
    for d in dets:
        assert d.data_type in DATA_TYPES and d.details in details_table()
        assert d.method in ("known_value", "adapter", "key", "value", "event_name")
        assert 0 < d.confidence <= 1 and len(d.excerpt) <= 120 and d.flow_id


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["body.json.a", "body.json.mood", "query.lat", "query.lon", "path[1]",
                                           "header.x-device-id", "body.protobuf.1.2[0].1", "body.form.e[0].event",
                                           "body.json.entries[0].type", "cookie.IDE", ""]),
                          _text, _text), max_size=12),
       st.sampled_from(["graph.facebook.com", "app-measurement.com", "api.example.com", "", "app.adjust.com"]))
def test_never_raises_on_arbitrary_fields(triples, host):
    det = _FUZZ_DET
    fs = [Field(loc, key, val, "f") for loc, key, val in triples]
    for d in det.detect(Flow(id="f", host=host, path="/v16.0/1/activities"), fs):
        assert d.data_type in DATA_TYPES


_FUZZ_DET = Detector(Persona(email="jane@example.org", phone="+33612345678", name="Jane Doe", lat=48.85, lon=2.35))
