"""Shared material for the hostile-input, fault and sensitive-data tests: a rich capture carrying a known persona,
and an isolated hpa home (redaction key, capture CA) per test session."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from analyzer.model import Flow, TLSInfo
from analyzer.traffic import JsonlWriter
from bench.fuzz import PERSONA

EMAIL_SHA256 = hashlib.sha256(PERSONA["email"].encode()).hexdigest()
# what must never survive redaction (the persona's values, and the hash trackers send instead of the email)
SECRETS = [PERSONA["email"], PERSONA["advertising_id"], PERSONA["android_id"], PERSONA["phone"], PERSONA["name"],
           EMAIL_SHA256]


@pytest.fixture(scope="session", autouse=True)
def hpa_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Keep the redaction key and mitmproxy CA of these tests out of the user's home."""
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("hpa-home")
    env = {"HPA_HOME": str(home / "hpa"), "HPA_MITM_CONFDIR": str(home / "mitm")}
    for k, v in env.items():
        mp.setenv(k, v)
    yield env
    mp.undo()


def write_persona(path: Path) -> Path:
    path.write_text(json.dumps(PERSONA), encoding="utf-8")
    return path


def rich_flows() -> list[Flow]:
    """Tracker-like requests carrying the persona's values in query, headers, cookies, JSON, form, base64, gzip."""
    p = PERSONA
    ev = base64.b64encode(json.dumps({"event": "cycle_logged", "user": p["email"], "phone": p["phone"]}).encode())
    return [
        Flow(id="f1", host="graph.facebook.com", method="POST", path="/v17.0/123/activities", time=1.7e9,
             phase="pre_consent", request_headers=[("Content-Type", "application/x-www-form-urlencoded")],
             request_body=f"advertiser_id={p['advertising_id']}&event=CUSTOM_APP_EVENTS&ud[em]={EMAIL_SHA256}"
                          f"&custom_events=%5B%7B%22_eventName%22%3A%22period_start%22%7D%5D".encode()),
        Flow(id="f2", host="api.mixpanel.com", method="POST", path="/track", time=1.7e9 + 1, phase="interaction",
             query=f"ip=1&data={ev.decode()}", request_headers=[("Content-Type", "application/json"),
                                                                ("Cookie", f"uid={p['android_id']}")],
             request_body=json.dumps({"properties": {"distinct_id": p["android_id"], "$name": p["name"],
                                                     "mood": p["custom"]["mood"], "email": p["email"]},
                                      "users": {p["android_id"]: {"cycle_day": 3}}}).encode()),   # a value as a key
        Flow(id="f3", host="collect.analytics.example", method="POST", path=f"/u/{p['advertising_id']}/events",
             time=1.7e9 + 2, phase="interaction",
             request_headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip"),
                              ("X-User-Phone", p["phone"])],
             request_body=gzip.compress(json.dumps({"gaid": p["advertising_id"], "pregnant": True,
                                                    "cycle_day": 14}).encode())),
        Flow(id="f4", host="insecure.tracker.example", scheme="http", port=80, method="GET", path="/pixel",
             query=f"email={p['email']}&adid={p['advertising_id']}", time=1.7e9 + 3, phase="background"),
        Flow(id="f5", host="pinned.example.com", kind="tls", time=1.7e9 + 4,
             tls=TLSInfo(sni="pinned.example.com", intercepted=False, error="client refused certificate")),
    ]


@pytest.fixture
def rich_capture(tmp_path: Path) -> Path:
    path = tmp_path / "rich.jsonl"
    with JsonlWriter(path) as w:
        for f in rich_flows():
            w.write(f)
    return path
