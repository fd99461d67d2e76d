import pytest

from analyzer.detect import Detector, Persona

from .helpers import at, fields, json_fields, kinds, run

PREC, APPROX = "location.precise", "location.approximate"


@pytest.fixture(scope="module")
def det():
    return Detector()


def test_lat_lon_pair_precision(det):
    dets = run(json_fields({"context": {"location": {"latitude": 48.85661, "longitude": 2.35222}},
                            "coarse": {"lat": 48.9, "lng": 2.4}}), detector=det)
    assert kinds(at(dets, "body.json.context.location.latitude")) == {(PREC, "lat_lon")}
    assert kinds(at(dets, "body.json.coarse.lat")) == {(APPROX, "lat_lon")}
    assert len(dets) == 2           # one detection per pair


def test_lat_lon_string_and_polyline(det):
    dets = run(json_fields({"ll": "48.857,2.352", "polyline": [[47.60565, -122.33202], [47.606002, -122.33172]],
                            "version": "1.2,3.4"}), detector=det)
    locs = {d.location: d.data_type for d in dets}
    assert locs == {"body.json.ll": PREC, "body.json.polyline[0]": PREC}


def test_not_location(det):
    # Branch lat_val is "limit ad tracking"; a lone latitude is not a position; 0,0 is "unknown"
    assert run(json_fields({"lat_val": 0, "lat": 48.85, "x": {"lat": 0, "lon": 0}}), detector=det) == []


def test_persona_position_within_rounding():
    det = Detector(Persona(lat=48.8566, lon=2.3522))
    dets = run(json_fields({"geo": {"a": 48.857, "b": 2.352}, "pt": "48.86,2.35", "far": {"a": 48.87, "b": 2.35}}),
               detector=det)
    got = {(d.location, d.data_type, d.method) for d in dets}
    assert ("body.json.geo.a", PREC, "known_value") in got            # unnamed keys, found by value
    assert ("body.json.pt", APPROX, "known_value") in got
    assert not any(loc.startswith("body.json.far") for loc, _, _ in got)


def test_protobuf_doubles_as_position():
    det = Detector(Persona(lat=48.8566, lon=2.3522))
    dets = run(fields(("body.protobuf.1.7.1", "1", "48.85663"), ("body.protobuf.1.7.2", "2", "2.35218")), detector=det)
    assert kinds(dets) == {(PREC, "lat_lon")}
