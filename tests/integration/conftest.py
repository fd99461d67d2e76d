"""One real capture shared by the end-to-end tests: tracker requests sent by a real HTTPS client through a real
in-process mitmproxy (the traffic room's `real_proxy` fixture), written by mitmproxy's FlowWriter, and the same flows
exported to HAR by mitmproxy's own SaveHar addon. Plus the side files a user passes (persona, Data-safety, policy)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.traffic.conftest import real_proxy, stop_proxy  # noqa: F401  (the fixture is reused, not copied)

from .cli import hpa  # noqa: F401  (re-exported for the tests)

APP_ID = "org.example.bloom"
FIRST_PARTY = "bloomcycle.example"
AAID = "5f1c7a7e-3b0e-4d9a-9d43-6c2f0f6a1b2e"
ANDROID_ID = "3f9a1c0d5b7e2a64"
EMAIL = "jane.tester@example.org"
FB_APP = "1234567890123456"
PERSONA = {"schema": "hpa.persona/1", "advertising_id": AAID, "android_id": ANDROID_ID, "email": EMAIL,
           "name": "Jane Tester", "custom": {"cycle_code": "ZX81-7734"}}


@dataclass(frozen=True)
class Capture:
    dump: Path          # mitmproxy flow dump (FlowWriter)
    har: Path           # the same flows, exported by mitmproxy's SaveHar
    persona: Path
    folder: Path
    mitm_ids: dict[str, str]   # mitmproxy flow id -> "METHOD host/path"


def _multipart(fields: dict[str, str], boundary: str) -> bytes:
    out = b""
    for k, v in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").encode()
    return out + f"--{boundary}--\r\n".encode()


def meta_app_events() -> tuple[str, bytes, dict[str, str]]:
    """Meta App Events as facebook-android-sdk sends them: multipart, AAID in advertiser_id, custom event params."""
    sha_email = hashlib.sha256(EMAIL.encode()).hexdigest()
    events = [{"_eventName": "fb_mobile_activate_app", "_logTime": 1795900000, "_ui": "unknown",
               "_session_id": "d2a1f3c4-5b6e-4f70-8a91-b2c3d4e5f601"},
              {"_eventName": "pregnancy_confirmed", "_logTime": 1795900042, "_ui": "PregnancyActivity",
               "_session_id": "d2a1f3c4-5b6e-4f70-8a91-b2c3d4e5f601", "pregnancy_week": "8",
               "symptom": "nausea"}]
    extinfo = ["a2", APP_ID, 42, "4.2.0", "13", "Pixel 7", "en_US", "CET", "T-Mobile", 1080, 2400, "2.63", 8,
               118, 52, "Europe/Berlin"]
    fields = {"format": "json", "sdk": "android", "event": "CUSTOM_APP_EVENTS", "advertiser_id": AAID,
              "advertiser_tracking_enabled": "1", "application_tracking_enabled": "1",
              "anon_id": "XZ0b4e7c1a-9d2f-4e3b-8a6c-5f1e2d3c4b5a", "application_package_name": APP_ID,
              "extinfo": json.dumps(extinfo), "ud": json.dumps({"em": sha_email}),
              "custom_events": json.dumps(events)}
    boundary = "3i2ndDfv2rTHiSisAbouNdArYfORhtTPEefj3q2f"
    return (f"/v16.0/{FB_APP}/activities", _multipart(fields, boundary),
            {"content-type": f"multipart/form-data; boundary={boundary}", "user-agent": "FBAndroidSDK.16.0.0"})


def adjust_session() -> tuple[str, bytes, dict[str, str]]:
    """Adjust /session as adjust/android_sdk sends it: form-urlencoded, AAID in gps_adid."""
    body = urlencode({"app_token": "abc123def456", "gps_adid": AAID, "gps_adid_src": "service",
                      "android_uuid": "7b0f1e2d-3c4b-4a59-8e6f-7a8b9c0d1e2f", "device_name": "Pixel 7",
                      "device_manufacturer": "Google", "os_name": "android", "os_version": "13", "country": "DE",
                      "language": "en", "package_name": APP_ID, "environment": "production",
                      "created_at": "2026-11-29T01:00:00.000Z+0100", "session_count": "1"}).encode()
    return "/session", body, {"content-type": "application/x-www-form-urlencoded", "client-sdk": "android4.33.0"}


def first_party_sync() -> tuple[str, bytes, dict[str, str]]:
    """The app's own API; an opaque key carries the persona's custom value (only known-value matching sees it)."""
    body = json.dumps({"user": {"id": "u-1029"}, "k9": "ZX81-7734", "dv": ANDROID_ID,
                       "entries": [{"date": "2026-11-20", "flow": "heavy"}]}).encode()
    return "/v2/sync", body, {"content-type": "application/json"}


def _record(proxy: Any) -> None:
    proxy.recorder.phase = "pre_consent"
    path, body, headers = adjust_session()
    proxy.request("app.adjust.com", "POST", path, body, headers)
    proxy.recorder.phase = "interaction"
    proxy.request("graph.facebook.com", "GET", f"/v16.0/{FB_APP}?fields=app_events_feature_bitmask&format=json&sdk=android",
                  headers={"user-agent": "FBAndroidSDK.16.0.0"})
    path, body, headers = meta_app_events()
    proxy.request("graph.facebook.com", "POST", path, body, headers)
    path, body, headers = first_party_sync()
    proxy.request(f"api.{FIRST_PARTY}", "POST", path, body, headers)


_CACHE: dict[str, Capture] = {}


@pytest.fixture
def capture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Capture:
    """Built once per session (the proxy fixture is only started on first use), then shared read-only."""
    if "c" not in _CACHE:
        from mitmproxy import io
        from mitmproxy.addons.savehar import SaveHar

        proxy = request.getfixturevalue("real_proxy")
        _record(proxy)
        stop_proxy(proxy)
        folder = tmp_path_factory.mktemp("capture")
        dump = folder / "flows.dump"           # no telling extension: the format is found by content
        shutil.copyfile(proxy.recorder.dump, dump)
        with open(dump, "rb") as fp:
            flows = list(io.FlowReader(fp).stream())
        assert len(flows) == 4, "mitmproxy did not record every request"
        har = folder / "flows.har"
        SaveHar().export_har(flows, str(har))
        persona = folder / "persona.json"
        persona.write_text(json.dumps(PERSONA))
        ids = {f.id: f"{f.request.method} {f.request.pretty_host}{f.request.path}" for f in flows}
        _CACHE["c"] = Capture(dump=dump, har=har, persona=persona, folder=folder, mitm_ids=ids)
    return _CACHE["c"]
