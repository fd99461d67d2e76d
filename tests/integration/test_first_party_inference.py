"""Without --app-id: the app and its own servers are inferred from the traffic (a real mitmproxy recorded it),
marked `first` with `inferred: true`, and the report says so. A domain nobody runs known to hpa is `unknown`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.traffic.conftest import real_proxy, stop_proxy  # noqa: F401  (the fixture is reused, not copied)

from .cli import hpa
from .conftest import APP_ID, FIRST_PARTY, Capture, capture  # noqa: F401

ANDROID_ID = "9e1f2a3b4c5d6e7f"
OWN = "quietnotes.example"


def analyze(*args: Any) -> dict[str, Any]:
    r = hpa("analyze", *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def own_servers_only(real_proxy, tmp_path: Path) -> Path:  # noqa: F811
    """A notes app talking only to its own API, media and tile servers (a device id to its own API)."""
    ua = {"user-agent": "org.quietnotes.android/3.1.0 (Linux; Android 13; Pixel 7)", "content-type": "application/json"}
    for i in range(3):
        body = json.dumps({"android_id": ANDROID_ID, "email": "jane.tester@example.org", "notes": [{"id": i, "text": "buy milk"}]}).encode()
        real_proxy.request(f"api.{OWN}", "POST", "/v1/sync", body, ua)
    real_proxy.request(f"media.{OWN}", "GET", "/img/avatar.png", headers=ua)
    real_proxy.request("tiles.quietnotes-cdn.example", "GET", "/7/63/42.png", headers=ua)
    real_proxy.request(f"api.{OWN}", "GET", "/v1/config", headers=ua)
    stop_proxy(real_proxy)
    from mitmproxy import io
    from mitmproxy.addons.savehar import SaveHar

    with open(real_proxy.recorder.dump, "rb") as fp:
        flows = list(io.FlowReader(fp).stream())
    har = tmp_path / "notes.har"
    SaveHar().export_har(flows, str(har))
    return har


def test_first_party_only_app_is_clean_without_app_id(own_servers_only: Path) -> None:
    report = analyze(own_servers_only)
    assert report["app"]["id"] == "org.quietnotes.android"
    assert report["app"]["inferred"]["app_id_source"]
    parties = {c["host"]: (c["party"], c["inferred"]) for c in report["contacts"]}
    assert parties == {f"api.{OWN}": ("first", True), f"media.{OWN}": ("first", True),
                       "tiles.quietnotes-cdn.example": ("first", True)}
    assert report["data_flows"] and all(d["recipient"]["party"] == "first" for d in report["data_flows"])
    assert report["label"]["verdict"] == "no_issues_observed", report["label"]
    assert any("--app-id" in lim for lim in report["label"]["limits"])


def test_given_app_id_turns_inference_off(own_servers_only: Path) -> None:
    report = analyze(own_servers_only, "--app-id", "org.other.thing")
    assert "inferred" not in report["app"]
    assert {c["party"] for c in report["contacts"]} == {"unknown"}      # not `third`: nobody known runs them
    assert not any(c["inferred"] for c in report["contacts"])


def test_trackers_stay_third_when_the_app_is_inferred(capture: Capture) -> None:  # noqa: F811
    report = analyze(capture.har)
    assert report["app"]["id"] == APP_ID                  # Adjust's package_name, Meta's application_package_name
    hosts = {c["host"]: c for c in report["contacts"]}
    assert hosts[f"api.{FIRST_PARTY}"]["party"] == "first" and hosts[f"api.{FIRST_PARTY}"]["inferred"]
    assert hosts["graph.facebook.com"]["party"] == hosts["app.adjust.com"]["party"] == "third"
    assert not hosts["graph.facebook.com"]["inferred"]
    assert report["label"]["verdict"] == "privacy_not_included"
