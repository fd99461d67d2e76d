"""Health and fitness over keys, values and event names, and the traps real traffic is full of."""

import pytest

from analyzer.detect import Detector

from .helpers import at, fields, flow, json_fields, kinds, run, types

H, F = "health_fitness.health", "health_fitness.fitness"


@pytest.fixture(scope="module")
def det():
    return Detector()


def test_journal_payload(det):
    dets = run(json_fields({"entries": [
        {"type": "period_started", "date": "2026-11-28", "values": {"flow_intensity": "heavy", "cycle_day": 1}},
        {"type": "symptom_logged", "values": {"symptoms": ["cramps", "bloating"]}},
        {"type": "weight_logged", "values": {"weight_kg": 63.5, "bmi": 22.1}},
    ]}), detector=det)
    k = kinds(dets)
    assert (H, "menstruation") in k and (H, "symptom") in k and (F, "weight") in k and (F, "bmi") in k
    assert at(dets, "body.json.entries[1].values.symptoms[0]")        # list item keeps its parent key
    assert at(dets, "body.json.entries[0].values.flow_intensity")


def test_params_with_values_are_user_data(det):
    dets = run(json_fields({"mood": "anxious", "steps": 8042, "sleep_hours": 6.5, "hr": 72}), detector=det)
    k = kinds(dets)
    assert {(H, "mood"), (H, "anxiety"), (F, "steps"), (F, "sleep"), (F, "heart_rate")} <= k
    m = at(dets, "body.json.mood")
    assert {d.method for d in m} == {"key", "value"}
    assert all(d.excerpt == "mood=anxious" for d in m)


def test_event_names_are_user_data(det):
    dets = run(fields(("body.json.events[0].event", "event", "pregnancy_week_12"),
                      ("body.json.events[1].event_name", "event_name", "PeriodLogged"),
                      ("body.json.events[2].name", "name", "mood_entry"),
                      ("body.json.events[3].event", "event", "app_open")), detector=det)
    assert {(d.details, d.method) for d in dets} == {("pregnancy", "event_name"), ("menstruation", "event_name"),
                                                      ("mood", "event_name")}


@pytest.mark.parametrize("payload", [
    {"show_pregnancy_banner": "true"},
    {"features": {"pregnancy_mode": "true", "ovulation_calendar": "false"}},
    {"experiment": "period_prediction_v2", "variant": "B"},
    {"ab_test": {"name": "mood_tracker_onboarding", "bucket": 3}},
    {"is_mood_feature_enabled": True},
    {"entries": {"pregnancy_tab": "on", "symptom_checker": "off"}},        # remote config is an object of flags
    {"weight": ""},
    {"mood": None},
    {"sleep": False},
    {"symptom_checker_banner": True},
    {"flow": "signup"},                        # auth flows, not menstrual flow
    {"period": "week", "range": {"period": "30d"}},   # a stats API's time span
    {"cycle": "monthly"},
    {"steps": ["intro", "goal", "paywall"], "onboarding_step": 3},
    {"weight": "bold", "font": {"weight": "600"}},
])
def test_config_flags_and_empty_values_are_not_user_data(det, payload):
    assert run(json_fields(payload), detector=det) == []


@pytest.mark.parametrize("payload", [
    {"articles": [{"title": "Your pregnancy week by week", "slug": "pregnancy-week-12",
                   "url": "https://cms.example.com/pregnancy", "image": "/img/pregnancy.png"}]},
    {"sdk_version": "fitness-sdk 2.1.0", "library": "mood-analytics"},
    {"exception": {"values": [{"type": "IllegalStateException", "module": "com.app.pregnancy.PregnancyFragment"}]}},
    {"build_flavor": "pregnancyRelease", "package_name": "com.period.tracker"},
    {"article": {"body": "A long article body about menstruation and ovulation. " * 6}},   # long text of content
    {"icon": "heart-rate-zone.svg", "animation": "https://cdn.example.com/lottie/period.json"},
    {"subscription": {"trial_period": "P7D", "period": "P1M"}},
    {"uuid": "8d1c9b4a-6c1b-4b7d-9d7e-1f2a3b4c5d6e"},
    {"nonce": "xQ3IudP8kLm2Vb9TzW4hHcg7", "sig": "k9PmsA2bXq7LhrVw3Eiv0"},   # random tokens with "Iud", "Pms"...
])
def test_content_code_and_app_strings_are_not_user_data(det, payload):
    assert run(json_fields(payload), detector=det) == []


def test_static_asset_and_content_paths(det):
    asset = flow(host="cdn.example.com", path="/images/pregnancy-week-12.png", method="GET")
    segs = fields(("path[0]", "", "images"), ("path[1]", "", "pregnancy-week-12.png"))
    assert run(segs, asset, detector=det) == []
    lottie = flow(host="cdn.example.com", path="/lottie/period-tracker.json", method="GET")
    assert run(fields(("path[0]", "", "lottie"), ("path[1]", "", "period-tracker.json")), lottie, detector=det) == []
    article = flow(host="api.example.com", path="/v1/articles/ovulation-signs", method="GET")
    assert run(fields(("path[2]", "", "ovulation-signs")), article, detector=det) == []
    api = flow(host="api.example.com", path="/v1/users/42/pregnancy", method="PUT")
    assert kinds(run(fields(("path[3]", "", "pregnancy")), api, detector=det)) == {(H, "pregnancy")}


def test_user_agent_and_standard_headers_are_skipped(det):
    fs = fields(("header.user-agent", "user-agent", "PeriodTracker/3.2 (pregnancy edition; Android 13)"),
                ("header.accept-language", "accept-language", "fr-FR"))
    assert run(fs, detector=det) == []


def test_french_payload(det):
    dets = run(json_fields({"saisies": [{"type": "debut_regles", "valeurs": {"intensite_flux": "moyennes"}},
                                        {"humeur": "triste", "poids": 61.2, "symptomes": ["crampes", "nausées"],
                                         "pilule": "oubliée", "rapport_sexuel": "non protégé"}]}), detector=det)
    assert {"menstruation", "mood", "weight", "symptom", "contraception", "sexual_activity"} <= {d.details for d in dets}


def test_mental_health_and_medication(det):
    dets = run(json_fields({"phq9_answers": [1, 2, 3, 0, 1, 2, 1, 0, 3], "gad7_total": 14,
                            "medication": "sertraline", "therapy_session": "booked", "diagnosis": "ADHD",
                            "note_tag": "suicidal thoughts"}), detector=det)
    assert {"phq9", "gad7", "medication", "therapy", "diagnosis", "suicidal_ideation"} <= {d.details for d in dets}
    assert types(dets) == {H}


def test_name_value_pairs(det):
    dets = run(json_fields({"attributes": [{"name": "cycle_length", "value": "28"},
                                           {"name": "theme", "value": "dark"}]}), detector=det)
    assert kinds(dets) == {(H, "menstruation")}
    pair = at(dets, "body.json.attributes[0].value")
    assert pair and pair[0].method == "key" and pair[0].excerpt == "cycle_length=28"


def test_readable_camel_case_values_are_not_taken_for_random_tokens(det):
    assert kinds(run(json_fields({"screen": "PregnancyWeek12Screen"}), detector=det)) == {(H, "pregnancy")}


@pytest.mark.parametrize("payload", [
    {"app_name": "Period Tracker - Ovulation Calendar", "application_name": "Pregnancy+"},
    {"install_referrer": "utm_source=google&utm_campaign=pregnancy_week_ads", "campaign_name": "ovulation_ua_fr"},
    {"notification_title": "Your period may start tomorrow", "share_url": "https://x.app/s/pregnancy"},
    {"screen_class": "PregnancyWeekActivity", "firebase_screen_class": "MoodLogFragment"},
])
def test_app_names_campaigns_notifications_and_classes(det, payload):
    assert run(json_fields(payload), detector=det) == []


def test_benign_sdk_traffic_is_silent(det):
    # what every app sends: session starts, device info, consent, settings fetches
    payloads = [
        {"event": "fb_mobile_activate_app", "sdk": "android", "format": "json",
         "extinfo": ["a2", "com.period.app", "233", "5.2.1", "13", "Pixel 7", "en_US", "CET", "Orange F"]},
        {"session_count": 12, "created_at": "2026-11-28T10:00:00.000Z+0100", "os_name": "android",
         "device_name": "Pixel 7", "language": "fr", "country": "FR", "environment": "production"},
        {"consent": {"gdpr_applies": True, "tcf": "CPzXxAAPzXxAAAHABBENDLCsAP_AAH_AAAAAIaNd_X__bX9n"}},
        {"appInstanceId": "", "languageCode": "fr-FR", "platformVersion": "33", "timeZone": "Europe/Paris",
         "appVersion": "5.2.1", "sdkVersion": "21.4.0", "packageName": "com.pregnancy.tracker"},
    ]
    for p in payloads:
        assert run(json_fields(p), detector=det) == [], p


def test_long_free_text_is_scanned_in_windows(det):
    # a journal entry / intake answer longer than a field value, sent outside content keys (issue 16)
    entry = ("Woke up at 6, walked the dog, long meeting at work, lunch with Sam at the usual place. " * 3
             + "Cramps all afternoon and I think my period is late again, took ibuprofen. " + "Read a book. " * 20)
    dets = run(json_fields({"entries": [{"note": entry, "date": "2026-11-28"}]}), detector=det)
    got = {d.details for d in dets if d.data_type == "health_fitness.health"}
    assert {"symptom", "medication"} <= got
    assert all(d.confidence <= 0.8 for d in dets)
    # bounded: health words after LONG_TEXT_MAX characters are not read
    from analyzer.detect.health import LONG_TEXT_MAX
    far = json_fields({"note": "Nothing much today, a walk. " * (LONG_TEXT_MAX // 20) + "pregnancy test positive"})
    assert run(far, detector=det) == []

