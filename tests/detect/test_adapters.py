"""Endpoint adapters, end to end: real wire formats -> decode_flow -> Detector."""

import hashlib
import json

import pytest

from analyzer.detect import Detector

from .helpers import detect
from .wire import b64json, form, js, multipart, pb, request

AAID = "60e5d787-7b10-4341-8289-a784280e7f1f"
ANDROID_ID = "9774d56d682e549c"
H, F, DEV = "health_fitness.health", "health_fitness.fitness", "device_ids"


@pytest.fixture(scope="module")
def det():
    return Detector()


def by(dets, **kw):
    return [d for d in dets if all(getattr(d, k) == v for k, v in kw.items())]


def test_meta_app_events_multipart(det):
    ud = json.dumps({"em": hashlib.sha256(b"jane@example.org").hexdigest(), "ct": hashlib.sha256(b"lyon").hexdigest()})
    events = [{"_eventName": "fb_mobile_activate_app", "_logTime": 1700000000, "_ui": "unknown"},
              {"_eventName": "pregnancy_week_logged", "_logTime": 1700000001, "week": "12",
               "symptom": "nausea", "fb_currency": "EUR"}]
    body, ct = multipart({"format": "json", "sdk": "android", "event": "CUSTOM_APP_EVENTS", "advertiser_id": AAID,
                          "advertiser_tracking_enabled": "1", "anon_id": "XZ2f0c5a1e-8f5b-4f7e-9d3a-1b2c3d4e5f60",
                          "ud": ud, "extinfo": json.dumps(["a2", "com.app", 1, "1.0", "13", "Pixel 7", "en_US"]),
                          "custom_events": json.dumps(events)})
    dets = detect(det, request("https://graph.facebook.com/v16.0/1234567890/activities", body, ct))
    assert by(dets, details="advertising_id", method="adapter", confidence=0.95)
    assert by(dets, details="vendor_id", method="adapter")
    assert by(dets, data_type="personal_info.email", details="email_sha256", method="adapter")
    assert by(dets, data_type="location.approximate", details="city", method="adapter")
    ev = by(dets, details="pregnancy", method="event_name")
    assert ev and ev[0].location.endswith("custom_events[1]._eventName")
    assert by(dets, details="symptom")                   # a developer parameter of the event
    assert not [d for d in dets if "extinfo" in d.location or "tracking_enabled" in d.location]


def test_meta_advertiser_id_needs_uuid_shape(det):
    body, ct = multipart({"advertiser_id": "", "event": "MOBILE_APP_INSTALL"})
    assert detect(det, request("https://graph.facebook.com/v16.0/1/activities", body, ct)) == []


def test_firebase_app_measurement_protobuf(det):
    param = lambda name, value: (1, pb((1, name), (2, value)))          # noqa: E731
    event = pb(param("_o", "app"), param("mood", "anxious"), param("cycle_day", "14"), (2, "symptom_logged"),
               (3, 1700000000000))
    uprop = pb((1, 1700000000000), (2, "pregnancy_status"), (3, "pregnant"))
    bundle = pb((1, 1), (2, event), (2, pb((2, "_s"), (3, 1))), (3, uprop), (8, "android"), (10, "Pixel 7"),
                (14, "com.example.period"), (19, AAID), (21, "5f1c0e2a9b8d7c6e5f4a3b2c1d0e9f8a"),
                (27, ANDROID_ID), (30, "cZ3pLrT5Q0yXb1n2m3o4p5"))
    flow = request("https://app-measurement.com/a", pb((1, bundle)), "application/x-www-form-urlencoded", gz=True)
    dets = detect(det, flow)
    ids = {(d.details, d.method) for d in dets if d.data_type == DEV}
    assert ids == {("advertising_id", "adapter"), ("app_instance_id", "adapter"), ("android_id", "adapter"),
                   ("firebase_installation_id", "adapter")}
    assert by(dets, details="advertising_id")[0].location.endswith("1.19")
    health = {(d.details, d.method) for d in dets if d.data_type == H}
    assert ("symptom", "event_name") in health
    assert ("mood", "key") in health and ("anxiety", "value") in health      # event params joined by name
    assert ("menstruation", "key") in health
    assert ("pregnancy", "key") in health                                    # user property
    assert not [d for d in dets if d.excerpt.startswith("10=") or "com.example.period" in d.excerpt]


def test_adjust_partner_params(det):
    body = form({"gps_adid": AAID, "android_id": ANDROID_ID, "adid": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                 "event_token": "abc123", "app_token": "2fm9gkqubvpc",
                 "partner_params": json.dumps({"mood": "sad", "weight": "61.5"}),
                 "callback_params": json.dumps({"screen": "home"})})
    dets = detect(det, request("https://app.adjust.com/event", body, "application/x-www-form-urlencoded"))
    assert {(d.details, d.method) for d in dets if d.data_type == DEV} == {
        ("advertising_id", "adapter"), ("android_id", "adapter"), ("vendor_id", "adapter")}
    assert {d.details for d in dets if d.data_type in (H, F)} == {"mood", "weight"}
    assert all(d.confidence >= 0.8 for d in dets if d.data_type in (H, F))


def test_mixpanel_base64_data(det):
    data = b64json([{"event": "Period Logged", "properties": {"distinct_id": "a1b2c3d4-e5f6", "$device_id": "dev-991",
                                                             "$os": "Android", "mp_lib": "android",
                                                             "token": "f00dcafe", "flow_intensity": "heavy"}}])
    dets = detect(det, request("https://api.mixpanel.com/track/?ip=1", form({"data": data}),
                               "application/x-www-form-urlencoded"))
    assert by(dets, details="menstruation", method="event_name")
    assert len(by(dets, details="vendor_id", method="adapter")) == 2
    assert by(dets, details="menstruation", method="key")          # "flow_intensity": "heavy" in the event's properties


def test_segment_gzip_batch(det):
    batch = {"batch": [{"type": "track", "event": "Workout Completed", "anonymousId": "anon-77aa",
                        "userId": "u-1234", "properties": {"duration_min": 35, "heart_rate_avg": 142},
                        "context": {"device": {"advertisingId": AAID, "model": "Pixel 7"},
                                    "location": {"latitude": 45.76404, "longitude": 4.83566},
                                    "library": {"name": "analytics-android", "version": "4.11"},
                                    "traits": {"email": "jane@example.org", "firstName": "Jane"}}}],
             "writeKey": "k"}
    dets = detect(det, request("https://api.segment.io/v1/import", js(batch), "application/json", gz=True))
    kinds = {(d.data_type, d.details) for d in dets}
    assert {(DEV, "advertising_id"), (DEV, "vendor_id"), ("personal_info.user_ids", "user_id"),
            (F, "exercise"), (F, "heart_rate"), ("location.precise", "lat_lon"),
            ("personal_info.email", "email"), ("personal_info.name", "name")} <= kinds


def test_appsflyer_event_value(det):
    body = {"advertiserId": AAID, "appsflyer_id": "1700000000000-1234567890123456789", "customer_user_id": "cu-9",
            "eventName": "ovulation_confirmed", "eventValue": json.dumps({"af_content": "lh_test", "bbt": "36.8"})}
    dets = detect(det, request("https://inapps.appsflyer.com/api/v6.3/androidevent?app_id=com.x", js(body),
                               "application/json"))
    kinds = {(d.data_type, d.details, d.method) for d in dets}
    assert (DEV, "advertising_id", "adapter") in kinds and (DEV, "vendor_id", "adapter") in kinds
    assert (H, "ovulation", "event_name") in kinds and (H, "fertility", "key") in kinds


def test_branch_amplitude_onesignal_clevertap(det):
    branch = {"hardware_id": ANDROID_ID, "is_hardware_id_real": True, "lat_val": 0,
              "advertising_ids": {"aaid": AAID}, "identity": "user-42", "name": "pill_taken",
              "custom_data": {"contraception_type": "pill"}}
    d1 = detect(det, request("https://api2.branch.io/v2/event/custom", js(branch), "application/json"))
    assert {(d.details, d.method) for d in d1 if d.data_type == DEV} == {("android_id", "adapter"),
                                                                       ("advertising_id", "adapter")}
    assert by(d1, details="medication", method="event_name") and by(d1, details="contraception")
    amp = [{"event_type": "sleep_logged", "device_id": "d-8a7b6c", "user_id": "user-7781",
            "event_properties": {"sleep_quality": "poor"},
            "api_properties": {"androidADID": AAID, "location": {"lat": 45.764, "lng": 4.8357}}}]
    d2 = detect(det, request("https://api2.amplitude.com/", form({"v": "2", "client": "k", "e": json.dumps(amp)}),
                             "application/x-www-form-urlencoded"))
    assert {d.details for d in d2} >= {"sleep", "advertising_id", "vendor_id", "user_id", "lat_lon"}
    one = {"identifier": "fcm-token-" + "x" * 40, "ad_id": AAID, "tags": {"trimester": "2", "goal": "lose weight"},
           "lat": 45.764, "long": 4.836, "device_model": "Pixel 7"}
    d3 = detect(det, request("https://onesignal.com/api/v1/players", js(one), "application/json"))
    assert {d.details for d in d3} >= {"push_token", "advertising_id", "pregnancy", "weight", "lat_lon"}
    ct = [{"g": "__g8c7b6a5d4e3f", "af": {"Model": "Pixel 7", "OS Version": "13"}},
          {"evtName": "Symptom Added", "evtData": {"headache": "severe"}, "type": "event"},
          {"type": "profile", "profile": {"Email": "jane@example.org", "Name": "Jane Doe", "Phone": "+33612345678"}}]
    d4 = detect(det, request("https://eu1.clevertap-prod.com/a1?os=Android&t=1", js(ct), "application/json"))
    assert {d.details for d in d4} >= {"vendor_id", "symptom", "email", "name", "phone"}


def test_crash_reporters(det):
    env = "\n".join([json.dumps({"event_id": "9ec79c33ec9942ab8353589fcb2e04dc", "sent_at": "2026-01-01T00:00:00Z"}),
                     json.dumps({"type": "event"}),
                     json.dumps({"user": {"id": "user-5521", "email": "jane@example.org"},
                                 "exception": {"values": [{"type": "NPE", "module": "com.app.pregnancy.WeekFragment",
                                                           "value": "PregnancyWeekFragment crashed"}]},
                                 "breadcrumbs": [{"message": "opened ovulation calendar"}],
                                 "contexts": {"device": {"model": "Pixel 7"}}})])
    d1 = detect(det, request("https://o1.ingest.sentry.io/api/5/envelope/", env.encode(),
                             "application/x-sentry-envelope"))
    assert {d.data_type for d in d1} == {"personal_info.user_ids", "personal_info.email"}
    bug = {"events": [{"user": {"id": "user-5521"}, "device": {"id": "dev-7c6b5a", "model": "Pixel 7"},
                       "breadcrumbs": [{"name": "PeriodLogActivity"}],
                       "exceptions": [{"stacktrace": [{"method": "com.app.mood.MoodRepository.save"}]}]}]}
    d2 = detect(det, request("https://notify.bugsnag.com/", js(bug), "application/json"))
    assert {(d.data_type, d.details) for d in d2} == {("personal_info.user_ids", "user_id"), (DEV, "vendor_id")}


def test_appmetrica_query_and_google_ads(det):
    q = f"adv_id={AAID}&android_id={ANDROID_ID}&deviceid=9f8e7d6c5b4a&uuid=1a2b3c4d5e6f7a8b9c0d&model=Pixel%207"
    d1 = detect(det, request(f"https://report.appmetrica.yandex.net/report?{q}", b"\x00\x01", "application/x-protobuf"))
    assert {(d.details, d.method) for d in d1} == {("advertising_id", "adapter"), ("android_id", "adapter"),
                                                   ("vendor_id", "adapter")}
    d2 = detect(det, request(f"https://googleads.g.doubleclick.net/mads/gma?rdid={AAID}&an=com.x&msid=com.x",
                             method="GET", headers=[("Cookie", "IDE=AHWqTUmXyZ123456abcdefgh")]))
    assert {(d.details, d.method) for d in d2} == {("advertising_id", "adapter"), ("vendor_id", "adapter")}


def test_unknown_endpoint_still_detected(det):
    body = {"device": {"gaid": AAID}, "evt": {"event_name": "log_mood", "props": {"anxiety_level": 7}}}
    dets = detect(det, request("https://collect.unknown-tracker.io/v3/batch", js(body), "application/json", gz=True))
    assert {(d.details, d.method) for d in dets} >= {("advertising_id", "key"), ("mood", "event_name"),
                                                     ("anxiety", "key")}


def test_one_detection_per_type_details_location(det):
    body = {"events": [{"event": "pregnancy_pregnancy_week", "mood": "anxious anxious"}]}
    dets = detect(det, request("https://api.example.com/t", js(body), "application/json"))
    keys = [(d.data_type, d.details, d.location) for d in dets]
    assert len(keys) == len(set(keys))


def test_jwt_and_basic_auth_credentials(det):
    import base64
    claims = base64.urlsafe_b64encode(json.dumps({"sub": "user-8812", "email": "jane@example.org",
                                                  "name": "Jane Doe"}).encode()).decode().rstrip("=")
    jwt = f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{claims}.c2lnbmF0dXJlc2lnbmF0dXJl"
    d1 = detect(det, request("https://api.example.com/v1/me", method="GET", headers=[("Authorization", f"Bearer {jwt}")]))
    assert {(d.data_type, d.details) for d in d1} >= {("personal_info.email", "email"), ("personal_info.name", "name")}
    basic = base64.b64encode(b"jane@example.org:hunter2").decode()
    d2 = detect(det, request("https://api.example.com/v1/login", method="GET", headers=[("Authorization", f"Basic {basic}")]))
    assert {(d.data_type, d.details) for d in d2} == {("personal_info.email", "email")}
