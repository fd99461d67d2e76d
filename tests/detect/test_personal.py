import pytest

from analyzer.detect import Detector
from analyzer.detect.personal import find_email

from .helpers import at, flow, json_fields, kinds, run

E, P, N, O = "personal_info.email", "personal_info.phone", "personal_info.name", "personal_info.other"


@pytest.fixture(scope="module")
def det():
    return Detector()


@pytest.mark.parametrize("text, email", [
    ("jane.doe@example.org", "jane.doe@example.org"),
    ("mailto:Jane.Doe+cycle@gmail.com?subject=x", "Jane.Doe+cycle@gmail.com"),
    ("contact: camille@orange.fr.", "camille@orange.fr"),
    ("icon@2x.png", None),
    ("sentry.java.android@7.3.0", None),
    ("user@localhost", None),
    ("foo@bar.notatld", None),
    ("no at sign", None),
])
def test_email_regex_and_tld_sanity(text, email):
    assert find_email(text) == email


def test_email_anywhere(det):
    dets = run(json_fields({"traits": {"contact": "jane.doe@example.org"}, "image": "logo@3x.webp"}), detector=det)
    assert kinds(dets) == {(E, "email")}


def test_phone_key_gated_and_e164(det):
    dets = run(json_fields({"phone_number": "06 12 34 56 78", "msisdn": "+33612345678", "ref": "+4915112345678",
                            "version": "12345678", "count": "+12"}), detector=det)
    assert {d.location for d in dets if d.data_type == P} == {"body.json.phone_number", "body.json.msisdn",
                                                             "body.json.ref"}


def test_names(det):
    dets = run(json_fields({"first_name": "Camille", "last_name": "Martin", "prenom": "Élodie",
                            "user": {"name": "Jane Doe"}, "product": {"name": "Premium Yearly"},
                            "library": {"name": "amplitude-android"}}), detector=det)
    assert {d.location for d in dets if d.data_type == N} == {
        "body.json.first_name", "body.json.last_name", "body.json.prenom", "body.json.user.name"}


def test_birth_date_age_gender(det):
    dets = run(json_fields({"dob": "1991-04-23", "date_de_naissance": "23/04/1991", "birth_year": 1991,
                            "birthday": "soon", "age": 33, "gender": "female", "sexe": "F"}), detector=det)
    got = {(d.location, d.details) for d in dets}
    assert ("body.json.dob", "birth_date") in got and ("body.json.date_de_naissance", "birth_date") in got
    assert ("body.json.birth_year", "birth_date") in got and ("body.json.birthday", "birth_date") not in got
    assert ("body.json.age", "age") in got and ("body.json.gender", "gender") in got and ("body.json.sexe", "gender") in got
    assert all(d.data_type == O for d in dets)


def test_address_city_zip(det):
    dets = run(json_fields({"address": "12 rue de la Paix", "ville": "Lyon", "code_postal": "69003",
                            "zip": "true", "city": ""}), detector=det)
    assert kinds(dets) == {("personal_info.address", "address"), ("location.approximate", "city"),
                           ("location.approximate", "zip")}


def test_hashed_values_under_personal_keys(det):
    h = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
    dets = run(json_fields({"email": h, "phone": h}), detector=det)
    assert kinds(dets) == {(E, "email_sha256"), (P, "phone_sha256")}


def test_name_key_at_top_level_of_a_signup_request(det):
    signup = flow(path="/api/v2/register")
    dets = run(json_fields({"name": "Jane Doe", "email": "jane@example.org"}), signup, detector=det)
    assert at(dets, "body.json.name")
    assert not run(json_fields({"name": "Jane Doe"}), flow(path="/api/v2/playlists"), detector=det)


def test_special_categories(det):
    dets = run(json_fields({"profile": {"sexual_orientation": "bisexual", "ethnicity": "Black British",
                                        "religion": "Muslim", "orientation": "portrait"}}), detector=det)
    assert kinds(dets) == {("personal_info.sexual_orientation", "sexual_orientation"),
                           ("personal_info.race_ethnicity", "ethnicity"),
                           ("personal_info.political_religious", "religion")}


def test_name_placeholders(det):
    assert run(json_fields({"user": {"name": "Guest"}, "first_name": "null", "profile": {"name": "User"}}),
               detector=det) == []
