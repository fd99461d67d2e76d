import pytest

from analyzer.detect.lexicon import Lexicon, fired
from analyzer.detect.text import compact, parse_location, tokens


@pytest.fixture(scope="module")
def lex():
    return Lexicon()


@pytest.mark.parametrize("text, words", [
    ("lastPeriodStart", ("last", "period", "start")),
    ("pregnancy_week_12", ("pregnancy", "week", "12")),
    ("mood-tracker.v2", ("mood", "tracker", "v2")),
    ("SpO2", ("spo2",)),
    ("myBPM", ("my", "bpm")),
    ("Règles douloureuses", ("regles", "douloureuses")),
    ("l'ovulation", ("l", "ovulation")),
    ("HTTPServer", ("http", "server")),
])
def test_tokens(text, words):
    assert tokens(text) == words


def test_compact_keys():
    assert compact("gps_adid") == "gpsadid"
    assert compact("$device_id") == "deviceid"
    assert compact("Date_de_Naissance") == "datedenaissance"


def details(lex, text, allow_simple=True):
    return {h.term.details for h in fired(lex.scan(text), allow_simple=allow_simple)}


@pytest.mark.parametrize("text, expected", [
    ("pregnancy_week_12", {"pregnancy"}),
    ("lastPeriodStart", {"menstruation"}),
    ("ovulation_test_positive", {"ovulation"}),
    ("log_period", {"menstruation"}),
    ("cycleLength", {"menstruation"}),
    ("weight_kg", {"weight"}),
    ("phq9_score", {"phq9"}),
    ("gad_7_total", {"gad7"}),
    ("heartRate", {"heart_rate"}),
    ("sertraline 50mg", {"medication"}),
    ("bbt_reading", {"fertility"}),
    ("preg_week", {"pregnancy"}),
    ("ovul_day", {"ovulation"}),
    ("craving_logged", {"substance_use"}),
    ("lastperiod", {"menstruation"}),              # glued words are split when both halves are known
    ("symptoms", {"symptom"}),                     # plural folded
])
def test_english_terms(lex, text, expected):
    assert details(lex, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("grossesse_semaine_12", {"pregnancy"}),
    ("début des règles", {"menstruation"}),
    ("debut_regles", {"menstruation"}),
    ("humeur_saisie", {"mood"}),                   # weak term + logging verb
    ("anxiété", {"anxiety"}),
    ("dépression", {"depression"}),
    ("poids_actuel", {"weight"}),
    ("sommeil_heures", {"sleep"}),
    ("pilule_oubliée", {"contraception"}),
    ("rapport sexuel non protégé", {"sexual_activity"}),
    ("symptôme", {"symptom"}),
    ("médicament", {"medication"}),
    ("endométriose", {"diagnosis"}),
    ("SOPK", {"diagnosis"}),
    ("TDAH", {"diagnosis"}),
    ("Levothyrox", {"medication"}),
    ("idées suicidaires", {"suicidal_ideation"}),
])
def test_french_terms(lex, text, expected):
    assert details(lex, text) == expected


@pytest.mark.parametrize("text", [
    "moodle",                  # no substring hits: "mood" is a word, not a prefix
    "periodic_sync",
    "trial_period_days",       # weak "period" beside commerce words, no qualifier-only key
    "billing_cycle",
    "step_2_of_5",
    "onboarding_steps",
    "sexe",                    # gender, not sexual activity
    "preparation",
    "overweight_font",         # glued word not split into known halves
    "hrm_service",
    "signal_strength",
])
def test_no_hit(lex, text):
    assert details(lex, text) == set()


def test_weak_terms_need_context(lex):
    assert details(lex, "mood", allow_simple=False) == set()
    assert details(lex, "mood", allow_simple=True) == {"mood"}          # whole key holding a user value
    assert details(lex, "mood_score", allow_simple=True) == {"mood"}    # term + qualifier
    assert details(lex, "mood_banner", allow_simple=True) == set()       # "banner" is not a qualifier
    assert details(lex, "pregnancy_weight") == {"pregnancy"}             # a strong health term does not lend to fitness


def test_strong_term_lends_to_weak_term_of_same_kind(lex):
    assert details(lex, "pregnancy_due date") == {"pregnancy"}
    assert details(lex, "period_pain_symptom") >= {"symptom", "menstruation"}


def test_location_parsing():
    loc = parse_location("body.form.custom_events[2]._eventName")
    assert loc.root == "body" and loc.path == "custom_events._eventname" and loc.last == "_eventName"
    assert parse_location("query.data|base64|json[0].properties.mood").path == "data.properties.mood"
    assert parse_location("body|gzip|protobuf.1.19").path == "1.19"
    assert parse_location("body.protobuf.1.2[3].1").path == "1.2.1"
    assert parse_location("body.protobuf.1.2[3].1").parent == "body.protobuf.1.2[3]"
    assert parse_location("header.x-device-id").root == "header"
    assert parse_location("path[2]").root == "path"
