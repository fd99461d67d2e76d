import base64
import hashlib
import urllib.parse

import pytest

from analyzer.detect import Detector, Persona
from analyzer.detect.known_values import phone_forms

from .helpers import json_fields, kinds, run

AAID = "60e5d787-7b10-4341-8289-a784280e7f1f"
PERSONA = Persona(advertising_id=AAID, android_id="9774d56d682e549c", email="Jane.Doe@Example.org",
                  phone="+33 6 12 34 56 78", name="Jane Doe", birth_date="1991-04-23",
                  custom={"weight": "63.5", "pill_brand": "Leeloo Gé", "pet": "Rex",
                          "favourite_colour": "Turquoise"})


@pytest.fixture(scope="module")
def det():
    return Detector(PERSONA)


def sha256(s):
    return hashlib.sha256(s.encode()).hexdigest()


def found(det, value, key="x"):
    return kinds(d for d in run(json_fields({key: value}), detector=det) if d.method == "known_value")


@pytest.mark.parametrize("value, expected", [
    (AAID, ("device_ids", "advertising_id")),
    (AAID.upper(), ("device_ids", "advertising_id")),
    (AAID.replace("-", ""), ("device_ids", "advertising_id")),
    (hashlib.md5(AAID.encode()).hexdigest().upper(), ("device_ids", "advertising_id")),
    ("9774D56D682E549C", ("device_ids", "android_id")),
    ("JANE.DOE@EXAMPLE.ORG", ("personal_info.email", "email")),
    (urllib.parse.quote("jane.doe@example.org", safe=""), ("personal_info.email", "email")),
    (base64.b64encode(b"jane.doe@example.org").decode(), ("personal_info.email", "email")),
    (base64.urlsafe_b64encode(b"jane.doe@example.org").decode().rstrip("="), ("personal_info.email", "email")),
    (sha256("jane.doe@example.org"), ("personal_info.email", "email_sha256")),                   # Meta / Google
    (hashlib.md5(b"jane.doe@example.org").hexdigest(), ("personal_info.email", "email_sha256")),
    (hashlib.sha1(b"jane.doe@example.org").hexdigest(), ("personal_info.email", "email_sha256")),
    ("+33612345678", ("personal_info.phone", "phone")),
    ("06 12 34 56 78", ("personal_info.phone", "phone")),
    (sha256("33612345678"), ("personal_info.phone", "phone_sha256")),                            # Meta: digits
    (sha256("+33612345678"), ("personal_info.phone", "phone_sha256")),                           # Google: E.164
    ("Jane Doe", ("personal_info.name", "name")),
    ("jane+doe", ("personal_info.name", "name")),
    (sha256("jane"), ("personal_info.name", "name_sha256")),
    ("19910423", ("personal_info.other", "birth_date")),
    ("23/04/1991", ("personal_info.other", "birth_date")),
    (sha256("19910423"), ("personal_info.other", "birth_date")),
    ("63.5", ("health_fitness.fitness", "weight")),            # custom label names a lexicon term
    ("leeloo gé", ("health_fitness.health", "contraception")),   # the label says what it is (EN "pill")
    ("TURQUOISE", ("personal_info.other", "custom:favourite_colour")),
])
def test_forms(det, value, expected):
    assert found(det, value) == {expected}


def test_inside_longer_values(det):
    assert found(det, "Bearer jane.doe@example.org") == {("personal_info.email", "email")}
    assert found(det, f"adid={AAID}&x=1") == {("device_ids", "advertising_id")}
    assert found(det, "Signed in as Jane Doe today") == {("personal_info.name", "name")}
    assert found(det, "Janet Does") == set()                   # names match on word boundaries


def test_short_custom_values_are_ignored(det):
    assert found(det, "Rex") == set()


def test_phone_forms():
    f = phone_forms("+33 6 12 34 56 78")
    assert f["e164"] == "+33612345678" and f["digits"] == "33612345678" and f["national"] == "0612345678"
    assert phone_forms("+1 (415) 555-0100")["national"] == "4155550100"
    assert phone_forms("0044 20 7946 0958")["e164"] == "+442079460958"


def test_known_value_wins_over_key_rule_on_same_field(det):
    dets = run(json_fields({"gps_adid": AAID}), detector=det)
    assert [(d.details, d.method, d.confidence) for d in dets] == [("advertising_id", "known_value", 1.0)]


def test_no_persona_no_known_values():
    dets = run(json_fields({"x": "Jane Doe"}), persona=None)
    assert dets == []
