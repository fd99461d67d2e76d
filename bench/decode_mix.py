"""A seeded mix of realistic tracker requests (shapes from shared/reference/tracker-sdk-formats.md), for the
decode benchmark and the decoder fuzz run. Values vary per flow so no cache can help."""

from __future__ import annotations

import base64
import gzip
import json
import random
import uuid
from urllib.parse import urlencode

from analyzer.model import Flow
from bench.quality.wire import varint

MOODS = ["sad", "calm", "anxious", "happy", "tired"]
EVENTS = ["fb_mobile_activate_app", "log_symptom", "period_started", "mood_logged", "workout_done"]


def _ld(num: int, payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def _vf(num: int, value: int) -> bytes:
    return varint(num << 3) + varint(value)


def facebook(r: random.Random, i: int) -> Flow:
    aaid = str(uuid.UUID(int=r.getrandbits(128)))
    custom = [{"_eventName": r.choice(EVENTS), "_logTime": 1700000000 + i, "_ui": "unknown",
               "_session_id": str(uuid.UUID(int=r.getrandbits(128))), "mood": r.choice(MOODS)}
              for _ in range(r.randint(1, 3))]
    extinfo = json.dumps(["a2", "com.example.app", 12, "1.2", "13", "Pixel 7", "en_US", "CET", "Orange",
                          1080, 2400, "2.75", 8, 128, 64, "Europe/Paris"])
    b = "b" + uuid.UUID(int=r.getrandbits(128)).hex
    parts = [("format", "json"), ("sdk", "android"), ("event", "CUSTOM_APP_EVENTS"), ("advertiser_id", aaid),
             ("advertiser_tracking_enabled", "1"), ("application_tracking_enabled", "1"),
             ("anon_id", "XZ" + str(uuid.UUID(int=r.getrandbits(128)))), ("extinfo", extinfo),
             ("custom_events", json.dumps(custom))]
    body = b"".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in parts) + f"--{b}--\r\n".encode()
    return Flow(id=f"f{i}", host="graph.facebook.com", method="POST", path=f"/v16.0/{r.randint(10**14, 10**15)}/activities",
                request_headers=[("Content-Type", f"multipart/form-data; boundary={b}"),
                                 ("User-Agent", "FBAndroidSDK.16.0.0"), ("Accept-Encoding", "gzip"),
                                 ("Host", "graph.facebook.com"), ("Content-Length", str(len(body)))],
                request_body=body)


def app_measurement(r: random.Random, i: int) -> Flow:
    ev = b"".join(_ld(2, _ld(1, _ld(1, "_o") + _ld(2, "auto")) + _ld(2, r.choice(["_e", "_s", "log_period"]))
                      + _vf(3, 1700000000000 + i)) for _ in range(r.randint(1, 4)))
    bundle = (_vf(1, 1) + ev + _ld(8, "android") + _ld(9, "13") + _ld(10, "Pixel 7") + _vf(12, 60)
              + _ld(14, "com.example.app") + _ld(19, str(uuid.UUID(int=r.getrandbits(128))))
              + _ld(21, uuid.UUID(int=r.getrandbits(128)).hex) + _ld(25, "1:123456:android:abcdef"))
    return Flow(id=f"f{i}", host="app-measurement.com", method="POST", path="/a",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Content-Encoding", "gzip"),
                                 ("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7)")],
                request_body=gzip.compress(_ld(1, bundle), 6))


def mixpanel(r: random.Random, i: int) -> Flow:
    ev = [{"event": r.choice(EVENTS), "properties": {"token": "tok", "distinct_id": f"u{r.randint(1, 10**6)}",
                                                     "$model": "Pixel 7", "mood": r.choice(MOODS), "time": i}}]
    data = base64.b64encode(json.dumps(ev).encode()).decode()
    return Flow(id=f"f{i}", host="api.mixpanel.com", method="POST", path="/track/", query="ip=1",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded")],
                request_body=urlencode({"data": data}).encode())


def adjust(r: random.Random, i: int) -> Flow:
    body = urlencode({"app_token": "abc123xyz", "event_token": "ev12", "gps_adid": str(uuid.UUID(int=r.getrandbits(128))),
                      "android_id": f"{r.getrandbits(64):016x}", "device_name": "Pixel 7", "os_version": "13",
                      "created_at": "2026-11-29T01:00:00.000Z+0100", "session_count": str(r.randint(1, 50)),
                      "partner_params": json.dumps({"cycle_day": str(r.randint(1, 28)), "mood": r.choice(MOODS)})})
    return Flow(id=f"f{i}", host="app.adjust.com", method="POST", path="/event",
                request_headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Client-SDK", "android4.38.0")],
                request_body=body.encode())


def segment(r: random.Random, i: int) -> Flow:
    batch = {"batch": [{"type": "track", "event": r.choice(EVENTS), "anonymousId": str(uuid.UUID(int=r.getrandbits(128))),
                        "properties": {"steps": r.randint(0, 20000), "mood": r.choice(MOODS)},
                        "context": {"device": {"advertisingId": str(uuid.UUID(int=r.getrandbits(128))), "model": "Pixel 7"},
                                    "location": {"latitude": round(r.uniform(-90, 90), 4),
                                                 "longitude": round(r.uniform(-180, 180), 4)}}}],
             "sentAt": "2026-11-29T01:00:00Z", "writeKey": "wk"}
    return Flow(id=f"f{i}", host="api.segment.io", method="POST", path="/v1/import",
                request_headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                request_body=gzip.compress(json.dumps(batch).encode(), 6))


def simple_get(r: random.Random, i: int) -> Flow:
    return Flow(id=f"f{i}", host="cdn.example-health.app", path=f"/v1/articles/{r.randint(1, 999)}",
                query=f"lang=fr&page={r.randint(1, 9)}",
                request_headers=[("User-Agent", "okhttp/4.12.0"), ("Accept", "application/json"),
                                 ("Cookie", f"sid={r.getrandbits(64):x}; consent=1")])


KINDS = [(facebook, 2), (app_measurement, 2), (mixpanel, 1), (adjust, 2), (segment, 1), (simple_get, 4)]


def make_flows(n: int, seed: int = 1) -> list[Flow]:
    r = random.Random(seed)
    makers = [m for m, w in KINDS for _ in range(w)]
    return [r.choice(makers)(r, i) for i in range(n)]
