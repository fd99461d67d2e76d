import json

import pytest

from analyzer.detect import Persona, load_persona
from analyzer.detect.persona import merge_personas
from analyzer.errors import InputError


def write(tmp_path, obj, name="persona.json"):
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return p


def test_load_full_persona(tmp_path):
    p = write(tmp_path, {"schema": "hpa.persona/1", "advertising_id": "60e5d787-7b10-4341-8289-a784280e7f1f",
                         "android_id": "9774d56d682e549c", "email": " Jane@Example.org ", "phone": "+33612345678",
                         "name": "Jane Doe", "birth_date": "1991-04-23", "lat": 48.8566, "lon": "2.3522",
                         "custom": {"weight": 63.5, "pill_brand": "Leeloo"}})
    per = load_persona(p)
    assert per.email == "Jane@Example.org"
    assert per.lon == pytest.approx(2.3522)
    assert per.custom == {"weight": "63.5", "pill_brand": "Leeloo"}
    assert Persona.from_dict(per.to_dict()) == per


def test_all_fields_optional(tmp_path):
    per = load_persona(write(tmp_path, {"schema": "hpa.persona/1"}))
    assert per.is_empty()


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ({"schema": "hpa.persona/2"}, "schema"),
    ({"emial": "x@y.org"}, "unknown key"),
    ({"lat": 48.8}, "lat and lon go together"),
    ({"lat": "north", "lon": 2.0}, "lat must be a number"),
    ({"lat": 95.0, "lon": 2.0}, "out of range"),
    ({"email": ["a@b.org"]}, "email must be a string"),
    ({"custom": ["weight"]}, "custom must be an object"),
])
def test_bad_persona_is_input_error(tmp_path, content, problem):
    with pytest.raises(InputError) as e:
        load_persona(write(tmp_path, content))
    assert problem in str(e.value)
    assert str(tmp_path) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_persona(tmp_path / "nope.json")


def test_from_dict_is_lenient_on_unknown_keys():
    # capture metadata may carry more than the persona fields; a typo check is for hand-written files only
    per = Persona.from_dict({"email": "a@b.org", "device": "Pixel 7"})
    assert per.email == "a@b.org"


def test_merge_keeps_every_key_and_the_recorded_value_wins():
    recorded = Persona(android_id="b4c7e1f2a9d03e58", advertising_id="60e5d787-7b10-4341-8289-a784280e7f1f",
                       lat=48.85, lon=2.35, custom={"k": "device"})
    given = Persona(android_id="0000000000000000", email="jane@example.org", lat=1.0, lon=2.0,
                    custom={"k": "file", "weight": "63.5"})
    merged = merge_personas(recorded, given)
    assert merged == Persona(android_id="b4c7e1f2a9d03e58", advertising_id="60e5d787-7b10-4341-8289-a784280e7f1f",
                             email="jane@example.org", lat=48.85, lon=2.35, custom={"k": "device", "weight": "63.5"})
    assert merge_personas(None, given) is given and merge_personas(recorded, None) is recorded
    assert merge_personas(None, None) is None
