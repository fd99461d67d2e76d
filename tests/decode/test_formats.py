"""Real tracker payload shapes (tests/../shared/reference/tracker-sdk-formats.md), decoded to exact locations."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import brotli
import zstandard

from analyzer.decode import Decoded, Limits, decode_flow
from analyzer.model import Flow

from .wire import f32, f64, ld, vf

# Default bounds but a time budget that no loaded machine reaches: results must not depend on speed.
UNTIMED = Limits(time_budget_s=600)


def decode(flow: Flow):
    return decode_flow(flow, UNTIMED)

AAID = "60e5d787-7b10-4341-8289-a784280e7f1f"


def as_map(d: Decoded) -> dict[str, str]:
    out = {f.location: f.value for f in d.fields}
    assert len(out) == len(d.fields), "every location names exactly one value"
    return out


def key_of(d: Decoded, location: str) -> str:
    return next(f.key for f in d.fields if f.location == location)


def test_facebook_multipart_custom_events():
    custom = [
        {"_eventName": "fb_mobile_activate_app", "_logTime": 1700000000, "_ui": "unknown"},
        {"_eventName": "log_symptom", "_logTime": 1700000050, "symptom": "cramps"},
        {"_eventName": "pregnancy_mode_on", "_logTime": 1700000100, "week": 12, "_valueToSum": 1.5},
    ]
    extinfo = json.dumps(["a2", "com.example.period", 1, "1.0", "13", "Pixel 7", "en_US", "CET", "Orange"])
    boundary = "3i2ndDfv2rTHiSisAbouNdArYfORhtTPEefj3q2f"
    fields = [("format", "json"), ("sdk", "android"), ("event", "CUSTOM_APP_EVENTS"),
              ("advertiser_id", AAID), ("anon_id", "XZ1b0e2a7c-0d52-4b43-9a0e-5f1f7d2b9c11"),
              ("extinfo", extinfo), ("custom_events", json.dumps(custom))]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields
    ) + f"--{boundary}--\r\n".encode()
    flow = Flow(id="fb1", host="graph.facebook.com", method="POST", path="/v16.0/1234567890/activities",
                request_headers=[("Content-Type", f"multipart/form-data; boundary={boundary}"),
                                 ("User-Agent", "FBAndroidSDK.16.0.0"), ("Accept-Encoding", "gzip"),
                                 ("Content-Length", str(len(body))), ("Host", "graph.facebook.com")],
                request_body=body)
    d = decode(flow)
    m = as_map(d)
    assert d.bounds_hit == []
    assert m["path[0]"] == "v16.0" and m["path[1]"] == "1234567890" and m["path[2]"] == "activities"
    assert m["header.user-agent"] == "FBAndroidSDK.16.0.0"
    assert not any(loc in m for loc in ("header.accept-encoding", "header.content-length", "header.host"))
    assert m["body.multipart.advertiser_id"] == AAID
    assert m["body.multipart.event"] == "CUSTOM_APP_EVENTS"
    assert m["body.multipart.custom_events[1]._eventName"] == "log_symptom"
    assert m["body.multipart.custom_events[1].symptom"] == "cramps"
    assert m["body.multipart.custom_events[2]._valueToSum"] == "1.5"
    assert m["body.multipart.custom_events[2].week"] == "12"
    assert m["body.multipart.extinfo[5]"] == "Pixel 7"
    assert key_of(d, "body.multipart.custom_events[1].symptom") == "symptom"
    assert key_of(d, "body.multipart.extinfo[5]") == "extinfo"
    assert all(f.flow_id == "fb1" for f in d.fields)


def test_facebook_gzip_form_variant():
    custom = json.dumps([{"_eventName": "mood_logged", "mood": "anxious"}])
    from urllib.parse import urlencode
    body = gzip.compress(urlencode({"event": "CUSTOM_APP_EVENTS", "custom_events": custom,
                                    "advertiser_id": AAID}).encode())
    flow = Flow(id="fb2", host="graph.facebook.com", method="POST", path="/v15.0/99/activities",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                                 ("Content-Encoding", "gzip")], request_body=body)
    m = as_map(decode(flow))
    assert m["body|gzip|form.custom_events[0].mood"] == "anxious"
    assert m["body|gzip|form.advertiser_id"] == AAID


def _app_measurement_batch() -> bytes:
    ev1 = ld(1, ld(1, "_o") + ld(2, "auto")) + ld(2, "_e") + vf(3, 1700000000123)
    ev2 = ld(1, ld(1, "flow") + ld(2, "heavy")) + ld(1, ld(1, "cycle_day") + vf(3, 2)) + ld(2, "log_period") \
        + vf(3, 1700000000456)
    bundle = (vf(1, 1) + ld(2, ev1) + ld(2, ev2) + ld(8, "android") + ld(9, "13") + ld(10, "Pixel 7")
              + vf(12, 60) + ld(14, "com.example.period") + ld(19, AAID) + vf(20, 0)
              + ld(21, "9b1c3f0e2a4d4e6f8a0b1c2d3e4f5a6b") + ld(25, "1:123456:android:abcdef")
              + ld(30, "fTq9XyZ0S2uN1bL8c4dE5f") + f64(31, 48.8566) + f32(32, 2.3522) + vf(33, -5))
    return ld(1, bundle)


def test_app_measurement_gzip_protobuf_with_form_content_type():
    flow = Flow(id="am1", host="app-measurement.com", method="POST", path="/a",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                                 ("Content-Encoding", "gzip")],
                request_body=gzip.compress(_app_measurement_batch()))
    d = decode(flow)
    m = as_map(d)
    p = "body|gzip|protobuf.1"
    assert m[f"{p}.19"] == AAID
    assert key_of(d, f"{p}.19") == "19"
    assert m[f"{p}.10"] == "Pixel 7"
    assert m[f"{p}.14"] == "com.example.period"
    assert m[f"{p}.21"] == "9b1c3f0e2a4d4e6f8a0b1c2d3e4f5a6b"
    assert m[f"{p}.2[0].2"] == "_e"
    assert m[f"{p}.2[0].1.1"] == "_o"
    assert m[f"{p}.2[0].3"] == "1700000000123"
    assert m[f"{p}.2[1].2"] == "log_period"
    assert m[f"{p}.2[1].1[0].2"] == "heavy"
    assert m[f"{p}.2[1].1[1].1"] == "cycle_day"
    assert m[f"{p}.2[1].1[1].3"] == "2"
    assert m[f"{p}.12"] == "60"
    assert m[f"{p}.31"] == "48.8566"
    assert m[f"{p}.32"].startswith("2.352")
    assert m[f"{p}.33"] == "-5"
    assert d.bounds_hit == []


def test_app_measurement_already_decompressed_by_the_reader():
    # Flow.request_body has content-encoding removed when the reader could; the header may remain.
    flow = Flow(id="am2", host="app-measurement.com", method="POST", path="/a",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                                 ("Content-Encoding", "gzip")],
                request_body=_app_measurement_batch())
    m = as_map(decode(flow))
    assert m["body.protobuf.1.19"] == AAID
    assert m["body.protobuf.1.2[1].1[0].2"] == "heavy"


def test_mixpanel_base64_json_in_form_and_query():
    events = [{"event": "Symptom Logged", "properties": {"mood": "sad", "distinct_id": "u-42", "$model": "Pixel 7",
                                                         "token": "abc"}}]
    data = base64.b64encode(json.dumps(events).encode()).decode()
    from urllib.parse import quote
    flow = Flow(id="mp1", host="api.mixpanel.com", method="POST", path="/track/", query="ip=1",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded")],
                request_body=f"data={quote(data)}".encode())
    m = as_map(decode(flow))
    assert m["query.ip"] == "1"
    assert m["body.form.data|base64|json[0].properties.mood"] == "sad"
    assert m["body.form.data|base64|json[0].event"] == "Symptom Logged"
    # same data in a GET query, with '+' left raw (form decoding turns it into a space)
    flow2 = Flow(id="mp2", host="api.mixpanel.com", path="/track/", query=f"data={data}&ip=1")
    m2 = as_map(decode(flow2))
    assert m2["query.data|base64|json[0].properties.$model"] == "Pixel 7"


def test_mixpanel_brief_example_object():
    data = base64.urlsafe_b64encode(json.dumps({"properties": {"mood": "low"}}).encode()).decode().rstrip("=")
    m = as_map(decode(Flow(id="q", host="x", path="/", query=f"data={data}")))
    assert m["query.data|base64|json.properties.mood"] == "low"


def test_sentry_envelope_with_attachment_gzip():
    event = {"event_id": "9ec79c33ec9942ab8353589fcb2e04dc", "user": {"id": "u-7", "email": "jane@example.org"},
             "contexts": {"device": {"model": "Pixel 7", "manufacturer": "Google"}}}
    attachment = b"\x00\x01binary\nwith newline\xff"
    env = b"\n".join([
        json.dumps({"event_id": event["event_id"], "dsn": "https://key@o1.ingest.sentry.io/2"}).encode(),
        json.dumps({"type": "event", "length": len(json.dumps(event))}).encode(),
        json.dumps(event).encode(),
        json.dumps({"type": "attachment", "length": len(attachment), "filename": "log.bin"}).encode(),
        attachment,
    ]) + b"\n"
    flow = Flow(id="se1", host="o1.ingest.sentry.io", method="POST", path="/api/2/envelope/",
                request_headers=[("Content-Type", "application/x-sentry-envelope"), ("Content-Encoding", "gzip"),
                                 ("X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=abc")],
                request_body=gzip.compress(env))
    m = as_map(decode(flow))
    assert m["body|gzip|ndjson[2].user.email"] == "jane@example.org"
    assert m["body|gzip|ndjson[2].contexts.device.model"] == "Pixel 7"
    assert m["body|gzip|ndjson[1].type"] == "event"
    assert m["body|gzip|ndjson[4]"] == attachment.hex()
    assert m["header.x-sentry-auth"].startswith("Sentry sentry_version=7")


def test_plain_ndjson():
    body = b'{"a": 1}\n{"b": {"c": "x"}}\n'
    m = as_map(decode(Flow(id="n", host="x", method="POST", path="/", request_body=body)))
    assert m == {"body.ndjson[0].a": "1", "body.ndjson[1].b.c": "x"}


def test_segment_gzip_json_batch():
    batch = {"batch": [{"type": "track", "event": "Workout Completed", "anonymousId": "anon-1",
                        "properties": {"heart_rate": 162, "steps": 8000},
                        "context": {"device": {"advertisingId": AAID, "model": "SM-G991B"},
                                    "location": {"latitude": 45.764, "longitude": 4.8357}}}],
             "sentAt": "2026-11-29T01:00:00Z", "writeKey": "wk"}
    flow = Flow(id="sg1", host="api.segment.io", method="POST", path="/v1/import",
                request_headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                request_body=gzip.compress(json.dumps(batch).encode()))
    d = decode(flow)
    m = as_map(d)
    assert m["body|gzip|json.batch[0].context.device.advertisingId"] == AAID
    assert m["body|gzip|json.batch[0].properties.heart_rate"] == "162"
    assert m["body|gzip|json.batch[0].context.location.latitude"] == "45.764"
    assert key_of(d, "body|gzip|json.batch[0].context.location.latitude") == "latitude"


def test_plain_json_body_and_scalars():
    body = json.dumps({"a": {"b": [1, {"c": "x"}, None, True]}, "n": 1.25}).encode()
    m = as_map(decode(Flow(id="j", host="x", method="POST", path="/",
                                request_headers=[("Content-Type", "application/json")], request_body=body)))
    assert m == {"body.json.a.b[0]": "1", "body.json.a.b[1].c": "x", "body.json.a.b[2]": "null",
                 "body.json.a.b[3]": "true", "body.json.n": "1.25"}


def test_adjust_form_with_partner_params():
    from urllib.parse import urlencode
    body = urlencode({"app_token": "abc123", "event_token": "x1y2z3", "gps_adid": AAID,
                      "android_id": "9774d56d682e549c", "device_name": "Pixel 7",
                      "partner_params": json.dumps({"pregnancy_week": "14", "due_date": "2027-03-01"}),
                      "callback_params": json.dumps({"user_email": "jane@example.org"})}).encode()
    flow = Flow(id="adj1", host="app.adjust.com", method="POST", path="/event",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Client-SDK", "android4.38.0")],
                request_body=body)
    d = decode(flow)
    m = as_map(d)
    assert m["body.form.partner_params.pregnancy_week"] == "14"
    assert m["body.form.partner_params.due_date"] == "2027-03-01"
    assert m["body.form.callback_params.user_email"] == "jane@example.org"
    assert m["body.form.gps_adid"] == AAID
    assert m["body.form.android_id"] == "9774d56d682e549c"   # hex id: not mistaken for base64
    assert m["header.client-sdk"] == "android4.38.0"
    assert key_of(d, "body.form.partner_params.pregnancy_week") == "pregnancy_week"


def test_appsflyer_event_value_json_string():
    body = json.dumps({"eventName": "af_cycle_logged", "advertiserId": AAID,
                       "eventValue": json.dumps({"af_content": "ovulation", "af_level": 3})}).encode()
    m = as_map(decode(Flow(id="af", host="inapps.appsflyer.com", method="POST",
                                path="/api/v6.3/androidevent", query="app_id=com.example.period",
                                request_body=body)))
    assert m["body.json.eventValue.af_content"] == "ovulation"
    assert m["query.app_id"] == "com.example.period"


def _jwt(claims: dict) -> str:
    def enc(o):
        return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.c2lnbmF0dXJl"


def test_jwt_in_authorization_header_and_cookie():
    token = _jwt({"sub": "user-42", "email": "jane@example.org", "exp": 1800000000})
    flow = Flow(id="jw", host="api.example-health.app", path="/v1/me",
                request_headers=[("Authorization", f"Bearer {token}"), ("Cookie", f"session={token}; theme=dark"),
                                 ("X-Device-Id", "9774d56d682e549c")])
    m = as_map(decode(flow))
    assert m["header.authorization|jwt.email"] == "jane@example.org"
    assert m["header.authorization|jwt.exp"] == "1800000000"
    assert m["cookie.session|jwt.sub"] == "user-42"
    assert m["cookie.theme"] == "dark"
    assert m["header.x-device-id"] == "9774d56d682e549c"


def test_basic_auth_user_name():
    tok = base64.b64encode(b"jane@example.org:hunter2").decode()
    m = as_map(decode(Flow(id="b", host="x", request_headers=[("Authorization", f"Basic {tok}")])))
    assert m["header.authorization|base64"] == "jane@example.org:hunter2"


def test_datatransport_json_with_base64_protobuf():
    inner = ld(1, "com.example.mood") + ld(3, "SM-G991B") + vf(4, 33)
    body = json.dumps({"logRequest": [{"logEvent": [{"sourceExtension": base64.b64encode(inner).decode(),
                                                     "eventTimeMs": "1700000000000"}]}]}).encode()
    m = as_map(decode(Flow(id="dt", host="firebaselogging-pa.googleapis.com", method="POST",
                                path="/v1/firelog/legacy/batchlog", request_body=body)))
    p = "body.json.logRequest[0].logEvent[0].sourceExtension|base64|protobuf"
    assert m[f"{p}.3"] == "SM-G991B"
    assert m[f"{p}.4"] == "33"


def test_compressions_inside_base64():
    payload = json.dumps({"symptom": "headache"}).encode()
    for name, comp in (("gzip", gzip.compress), ("deflate", zlib.compress), ("zstd", zstandard.compress)):
        s = base64.b64encode(comp(payload)).decode()
        m = as_map(decode(Flow(id="c", host="x", path="/", query=f"p={s}")))
        assert m[f"query.p|base64|{name}|json.symptom"] == "headache", name


def test_brotli_body_by_content_encoding():
    body = brotli.compress(json.dumps({"mood": "calm"}).encode())
    m = as_map(decode(Flow(id="br", host="x", method="POST", path="/", request_body=body,
                                request_headers=[("Content-Encoding", "br")])))
    assert m["body|br|json.mood"] == "calm"


def test_query_path_repeats_and_noise():
    flow = Flow(id="q", host="x", path="/a%20b/c", query="id=1&id=2&x=&y=%C3%A9",
                request_headers=[("Accept", "*/*"), ("Accept-Language", "fr-FR"), ("X-A", "1"), ("X-A", "2")])
    d = decode(flow)
    m = as_map(d)
    assert m == {"path[0]": "a b", "path[1]": "c", "query.id[0]": "1", "query.id[1]": "2", "query.x": "",
                 "query.y": "é", "header.accept-language": "fr-FR", "header.x-a[0]": "1", "header.x-a[1]": "2"}
    assert key_of(d, "query.id[1]") == "id"


def test_no_false_base64_decodes():
    # ids, hex digests, UUIDs, words: must stay as they are
    values = {"a": AAID, "b": "d41d8cd98f00b204e9800998ecf8427e", "c": "fb_mobile_activate_app",
              "d": "ThisIsJustAnEventName", "e": "12345678901234567890", "f": "XZ1b0e2a7c-0d52-4b43-9a0e"}
    from urllib.parse import urlencode
    m = as_map(decode(Flow(id="f", host="x", path="/", query=urlencode(values))))
    assert m == {f"query.{k}": v for k, v in values.items()}


def test_binary_body_not_protobuf_is_hex():
    body = bytes(range(250, 256)) + b"\xff" * 10
    m = as_map(decode(Flow(id="h", host="x", method="POST", path="/", request_body=body)))
    assert m == {"body": body.hex()}


def test_packed_varints_and_bytes():
    # a bytes field that is neither text nor a message: shown as hex, plus its reading as packed varints
    msg = ld(4, bytes([0x96, 0x01, 0xFF, 0x7F, 0x03])) + vf(1, 7)
    m = as_map(decode(Flow(id="p", host="x", method="POST", path="/", request_body=msg,
                                request_headers=[("Content-Type", "application/x-protobuf")])))
    assert m["body.protobuf.4"] == "9601ff7f03"
    assert [m[f"body.protobuf.4|packed[{j}]"] for j in range(3)] == ["150", "16383", "3"]
    assert m["body.protobuf.1"] == "7"
