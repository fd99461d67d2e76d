"""SDK-like requests whose bodies are not UTF-8 text: what breaks a HAR reader that treats text as UTF-8."""

from __future__ import annotations

import gzip
import json

AAID = "38400000-8cf0-11bd-b23e-10b96e40000d"
APP_INSTANCE = "5bd4e2c0a3f8d7e6c1b2a3948576f1e2"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num: int, value: bytes | int) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def firebase_batch() -> bytes:
    """app-measurement.com/a: Batch{Bundle{event, platform, app_id=14, resettable_device_id=19, app_instance_id=21}}."""
    event = _field(2, b"menstrual_cycle_logged") + _field(4, 1_780_000_000_000)
    bundle = (_field(1, 1) + _field(2, event) + _field(8, b"android") + _field(10, b"Pixel 7")
              + _field(14, b"org.example.cycle") + _field(19, AAID.encode()) + _field(21, APP_INSTANCE.encode()))
    return _field(1, bundle)


REQUESTS = [
    # (host, path, headers, body before content-encoding)
    ("app-measurement.com", "/a",
     {"content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip"}, firebase_batch()),
    ("report.appmetrica.yandex.net", f"/report?adv_id={AAID}&app_id=org.example.cycle",
     {"content-type": "application/octet-stream", "content-encoding": "gzip"}, bytes(range(256)) * 3),
    ("firebaselogging-pa.googleapis.com", "/v1/firelog/legacy/batchlog",
     {"content-type": "application/json", "content-encoding": "gzip"},
     json.dumps({"logRequest": [{"clientInfo": {"androidClientInfo": {"model": "Pixel 7"}},
                                 "logEvent": [{"eventTimeMs": "1780000000000"}]}]}).encode()),
    ("graph.facebook.com", "/v16.0/123/activities",
     {"content-type": "application/json"},
     json.dumps({"event": "CUSTOM_APP_EVENTS", "advertiser_id": AAID,
                 "custom_events": [{"_eventName": "pregnancy_week_logged", "mood": "anxious"}]}).encode()),
    # a "JSON" body that is not UTF-8 (mitmproxy writes it with \udcXX escapes)
    ("api.mixpanel.com", "/track", {"content-type": "application/json"},
     b'{"event":"app_open","properties":{"distinct_id":"' + AAID.encode() + b'","blob":"\xff\xfe\x80"}}'),
    ("events.example-sdk.io", "/v1/batch", {"content-type": "text/plain; charset=utf-16-le"},
     f'advertising_id={AAID}'.encode("utf-16-le")),
]


def encode(body: bytes, headers: dict[str, str]) -> bytes:
    return gzip.compress(body) if headers.get("content-encoding") == "gzip" else body
