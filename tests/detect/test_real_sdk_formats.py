"""Failure classes of issue 16, each on a request written in the SDK's own wire format (field names and nesting
as the SDKs send them: /work/shared/reference/tracker-sdk-formats.md and the real-world set's sources), through
the real decoder and detector. Values are made up here."""

import base64
import hashlib
import json

import pytest

from analyzer.decode import decode_flow
from analyzer.detect import Detector
from analyzer.detect.guards import Guards

from .helpers import detect
from .wire import form, js, pb, request

DEV = "device_ids"
IDFV = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"


@pytest.fixture(scope="module")
def det():
    return Detector()


def of(dets, data_type):
    return [d for d in dets if d.data_type == data_type]


def test_kochava_install_ids(det):
    # Kochava iOSTracker 4.x install: ids at the top level and under data, named by the SDK
    body = js({"action": "install", "kochava_app_id": "kotest-ios5f00", "sdk_version": "iOSTracker 4.5.0",
               "kochava_device_id": "KI1700000000T0A1B2C3D4E5F60718293A4B5C6D7E8F9",
               "nt_id": "0A1B2C3D-0A1B2C3D-1111-2222-3333-444455556666",
               "data": {"idfv": IDFV, "device": "iPhone10,4", "locale": "en_DE",
                        "identity_link": {"marketingcloudvisitorid": "12345678901234567890123456789012345678"}}})
    dets = of(detect(det, request("https://control.kochava.com/track/json", body, "application/json")), DEV)
    locs = {d.location: d.details for d in dets}
    assert locs["body.json.data.idfv"] == "idfv"
    assert "body.json.kochava_device_id" in locs and "body.json.nt_id" in locs
    assert locs["body.json.data.identity_link.marketingcloudvisitorid"] == "ecid"


def test_adobe_edge_identity_map_namespaces(det):
    # Adobe Experience Platform Edge: identityMap.<namespace>[i].id, the namespace says what the id is
    body = js({"xdm": {"identityMap": {
        "ECID": [{"id": "98765432109876543210987654321098765432", "authenticatedState": "ambiguous", "primary": False}],
        "CRMID": [{"id": "cust-000123", "authenticatedState": "authenticated"}]},
        "implementationDetails": {"name": "https://ns.adobe.com/experience/mobilesdk/android", "version": "2.1.0"}},
        "events": [{"xdm": {"eventType": "PageLoaded", "_id": "C1963F19-4FCC-46AB-9F3C-BB994E3B3F5C"}}]})
    dets = detect(det, request("https://edge.adobedc.net/ee/v1/interact?configId=abc", body, "application/json"))
    ecid = [d for d in of(dets, DEV) if d.details == "ecid"]
    assert ecid and ecid[0].location == "body.json.xdm.identityMap.ECID[0].id"
    assert not [d for d in of(dets, DEV) if "CRMID" in d.location or "_id" in d.location]


def test_crashlytics_installation_id_header(det):
    flow = request("https://firebase-settings.crashlytics.com/spi/v2/platforms/android/gmp/1:2:android:3/settings"
                   "?instance=929b03899363053d0c098793a423c01f9abfb7ed&build_version=7&display_version=1.0&source=1",
                   method="GET", headers=[("X-CRASHLYTICS-INSTALLATION-ID", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
                                          ("X-CRASHLYTICS-DEVICE-MODEL", "Google/sdk_gphone_x86_64"),
                                          ("X-CRASHLYTICS-DEVELOPER-TOKEN", "470fa2b4ae81cd56ecbcda9735803434cec591fa")])
    dets = of(detect(det, flow), DEV)
    assert [d.location for d in dets] == ["header.x-crashlytics-installation-id"]
    assert dets[0].details == "firebase_installation_id"


def test_chartboost_identity_base64_json(det):
    # Chartboost prefetch: device.identity is base64 JSON {ifa, ifv, cb_id(base64)}; an all-zero IDFA is no id
    identity = base64.b64encode(json.dumps({
        "ifa": "00000000-0000-0000-0000-000000000000", "ifv": IDFV,
        "cb_id": base64.b64encode(b"C0113CEB-1A6D-457A-A5F6-2A70A395C0BD").decode()}).encode()).decode()
    body = js({"app": {"app": "55dd79b0c909a6012d05135f", "bundle_id": "com.example.game"}, "sdk": {"sdk": "8.4.0"},
               "device": {"identity": identity, "model": "iPhone", "limit_ad_tracking": True}})
    dets = of(detect(det, request("https://live.chartboost.com/webview/v2/prefetch", body, "application/json")), DEV)
    got = {d.location: d.details for d in dets}
    assert got.get("body.json.device.identity|base64|json.ifv") == "idfv"
    assert any("cb_id" in loc for loc in got)
    assert not any(loc.endswith(".ifa") for loc in got)


def test_hashed_em_ph_under_partner_data(det):
    # Branch open with partner_data.fb (Meta advanced matching, SHA-256 of normalized e-mail and phone)
    em = hashlib.sha256(b"ana@example.org").hexdigest()
    ph = hashlib.sha256(b"15551234567").hexdigest()
    body = js({"randomized_device_token": "1378371027381669962", "os": "Android",
               "partner_data": {"fb": {"em": em, "ph": ph}}, "debug": False})
    dets = detect(det, request("https://api2.branch.io/v1/open", body, "application/json"))
    assert {(d.data_type, d.details) for d in dets if d.location.startswith("body.json.partner_data")} == {
        ("personal_info.email", "email_sha256"), ("personal_info.phone", "phone_sha256")}


def test_em_outside_a_matching_block_is_not_an_email(det):
    body = js({"em": hashlib.sha256(b"x").hexdigest(), "cfg": {"ph": "7cd2dfb0b893767d1b0a4cacd831f6f9"}})
    dets = detect(det, request("https://api.example-sdk.com/v1/cfg", body, "application/json"))
    assert not [d for d in dets if d.data_type.startswith("personal_info")]


def test_helpshift_form_device_id(det):
    body = form({"platform-id": "demo_platform_20231024-64c03dee", "uid": "hsft_anon_1719221405509-d3a5f70",
                 "id": "59c1aa0e-4598-43bd-8d89-9ed19bdd8346", "did": "59c1aa0e-4598-43bd-8d89-9ed19bdd8346",
                 "dm": "sdk_gphone_x86_64", "ln": "en-US"})
    dets = of(detect(det, request("https://api.helpshift.com/events/v1/demo/websdk/", body,
                                  "application/x-www-form-urlencoded")), DEV)
    assert "body.form.did" in {d.location for d in dets}


def _firelog(extension: bytes) -> bytes:
    client = pb((1, 15), (4, pb((3, "16"), (4, "16.5"), (7, "iPhone14,4"), (11, "com.example.app"))))
    event = pb((1, 1686380107436), (6, extension), (15, 14400))
    return pb((1, pb((1, client), (2, 1974), (3, event), (4, 1686380107811))))


def test_firelog_perf_extension_installation_id(det):
    ext = pb((1, 1), (2, pb((1, "63c709f6c6a441c7bd9191576659c9db"), (3, "dK3m9x2Qa7Bc5Ef1Gh4Ij6"), (4, 1686380107000000))),
             (3, pb((1, "1:406122277394:ios:35d7789ba2a055f3"), (2, "iPhone14,4"))))
    flow = request("https://firebaselogging-pa.googleapis.com/v1/firelog/legacy/batchlog", _firelog(ext),
                   "application/x-protobuf")
    dets = of(detect(det, flow), DEV)
    assert [(d.location, d.details) for d in dets] == [("body.protobuf.1.3.6.2.3", "firebase_installation_id")]


def test_firelog_client_info_only_is_clean(det):
    ext = pb((1, pb((1, 1684310627000), (2, 1686380107000))), (4, "com.example.app"))
    flow = request("https://firebaselogging-pa.googleapis.com/v1/firelog/legacy/batchlog", _firelog(ext),
                   "application/x-protobuf")
    assert of(detect(det, flow), DEV) == []


def test_vendor_prefixed_id_user_property(det):
    # Mixpanel engage: a developer user property named "<Brand> Device ID"
    data = base64.b64encode(json.dumps([{"$token": "tok", "$distinct_id": "u-1", "$set": {
        "Acme Device ID": "6A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9", "Plan": "free"}}]).encode()).decode()
    flow = request("https://api-eu.mixpanel.com/engage/?ip=1", form({"data": data}),
                   "application/x-www-form-urlencoded")
    dets = of(detect(det, flow), DEV)
    assert any(d.location.endswith("$set.Acme Device ID") for d in dets)


def test_words_joined_by_underscores_are_not_a_random_token(det):
    g = Guards()
    assert not g.value_describes_app("period_start_logged_today")
    assert not g.value_describes_app("self_harm_urge_logged")
    assert g.value_describes_app("aB3dE9fG_h2KLmN0-pQ7rS")          # a token with separators is still a token
    body = js({"entries": [{"type": "self_harm_urge_logged", "date": "2026-11-28"}]})
    dets = detect(det, request("https://api.notes-app.example/v1/journal/sync", body, "application/json"))
    assert [d.details for d in dets if d.data_type == "health_fitness.health"] == ["suicidal_ideation"]


def test_sentry_release_names_the_app(det):
    env = b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-11-28T10:00:00Z"}\n' \
          b'{"type":"session"}\n' \
          b'{"sid":"7c7b6b2a-2d6f-4b8e-9f1a-0c1d2e3f4a5b","did":"5F5D8E8E-7E8F-4DDF-8AFE-BE897985A7A4",' \
          b'"attrs":{"release":"com.example.pregnancy@7.6.3+1830","environment":"production"}}\n'
    dets = detect(det, request("https://o1.ingest.sentry.io/api/2/envelope/", env, "application/x-sentry-envelope"))
    assert not [d for d in dets if d.data_type.startswith("health_fitness")]
    assert of(dets, DEV)


def test_name_roles_segment_and_amplitude(det):
    # Segment batch: a screen call's name and event properties are screens/products; identify traits are a profile
    body = js({"batch": [
        {"type": "screen", "name": "Cycle Calendar", "properties": {"name": "Ovulation Guide"},
         "anonymousId": "a1b2c3d4-0000-4000-8000-123456789abc"},
        {"type": "track", "event": "Product Viewed", "properties": {"name": "Period Pads", "product": {"name": "Pack"}}},
        {"type": "identify", "traits": {"name": "Jane Doe"}}], "writeKey": "wk"})
    dets = detect(det, request("https://api.segment.io/v1/batch", body, "application/json"))
    assert [d.location for d in of(dets, "personal_info.name")] == ["body.json.batch[2].traits.name"]
    assert any(d.details == "ovulation" for d in dets)          # the screen is still a health screen
    body = js({"api_key": "k", "events": [{"event_type": "screen_view", "device_id": "x1y2z3w4v5",
                                           "event_properties": {"name": "Sophie Martin"},
                                           "user_properties": {"name": "Jane Doe"}}]})
    dets = detect(det, request("https://api2.amplitude.com/2/httpapi", body, "application/json"))
    assert [d.location for d in of(dets, "personal_info.name")] == ["body.json.events[0].user_properties.name"]


def test_sdk_and_support_addresses_are_not_the_users(det):
    body = js({"config": {"feedback_email": "feedback@example-app.com", "crash_contact": "dev@example-sdk.io"},
               "app": {"support_email": "help@example-app.com", "publisher_email": "ops@example-app.com"},
               "from": "noreply@example-app.com", "user": {"email": "jane.doe@example.org"},
               "message": "write to support@example-app.com"})
    dets = of(detect(det, request("https://api.example-sdk.io/v1/init", body, "application/json")),
              "personal_info.email")
    assert [d.location for d in dets] == ["body.json.user.email"]


def test_known_email_counts_even_as_a_support_like_key():
    from analyzer.detect import Persona
    d = Detector(Persona(email="help@example-app.com"))
    body = js({"support_email": "help@example-app.com"})
    dets = d.detect(request("https://api.example-sdk.io/v1/init", body, "application/json"),
                    decode_flow(request("https://api.example-sdk.io/v1/init", body, "application/json")).fields)
    assert [(x.details, x.method) for x in of(dets, "personal_info.email")] == [("email", "known_value")]


def test_decimal_pairs_need_a_location_key_or_a_gps_like_fix(det):
    body = js({"dpi": "2.625,2.625", "ratio": "0.5625,0.75", "prices": "12.99,15.49", "v": "1.234,5.678",
               "viewport": "412.0,915.0", "ll": "48.85,2.35", "p": "-25.2894588,-57.5879024"})
    dets = detect(det, request("https://api.example-sdk.io/v1/e", body, "application/json"))
    assert sorted(d.location for d in dets if d.data_type.startswith("location")) == ["body.json.ll", "body.json.p"]


def test_schemaless_protobuf_coordinates_plausibility(det):
    # a report message with a nested location {1: lat (double), 2: lon (double), 3: accuracy}, no persona
    loc_msg = pb((1, 48.8566123), (2, 2.3522219), (3, 9.6), (4, 1700000000))
    body = pb((1, "com.example.app"), (5, loc_msg), (7, pb((1, 0.125), (2, 2.625))), (8, pb((1, 43.2965), (3, 5.3698))))
    dets = detect(det, request("https://report.appmetrica.yandex.net/report", body, "application/x-protobuf"))
    locs = [d for d in dets if d.data_type.startswith("location")]
    assert [(d.location, d.confidence) for d in locs] == [("body.protobuf.5.1", 0.5)]


def test_channel_and_player_ids_in_the_url_path(det):
    # Airship channel registration update and OneSignal legacy player update: the id is the URL's collection member
    body = js({"channel": {"device_type": "android", "opt_in": True, "locale_country": "FR"}})
    dets = detect(det, request("https://device-api.urbanairship.com/api/channels/d5e11afc-5ccd-4c6a-b696-f4bf57dcd72c",
                               body, "application/json", method="PUT"))
    assert [(d.location, d.details) for d in of(dets, DEV)] == [("path[2]", "push_channel_id")]
    dets = detect(det, request("https://onesignal.com/api/v1/players/bd571fb9-61ab-463f-8f7e-0123456789ab/on_session",
                               js({"app_id": "a"}), "application/json"))
    assert [d.location for d in of(dets, DEV)] == ["path[3]"]
    # a content id under another collection is not a device id
    dets = detect(det, request("https://cdn.example.com/api/articles/d5e11afc-5ccd-4c6a-b696-f4bf57dcd72c", method="GET"))
    assert of(dets, DEV) == []
