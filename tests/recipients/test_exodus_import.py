"""`hpa trackers import`: an Exodus-format list (the public API's format) merged into the user's overlay."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.recipients.exodus import parse_code_signature, parse_network_signature
from analyzer.recipients.kb import load_kb
from analyzer.report.trackers import cli_import

# Written here from the documented shape of GET https://reports.exodus-privacy.eu.org/api/trackers.
EXODUS = {"trackers": {
    "1": {"id": 1, "name": "Teemo", "description": "", "creation_date": "2017-09-24",
          "code_signature": "com.databerries.|com.geolocstation.", "network_signature": "databerries\\.com",
          "website": "https://www.teemo.co", "categories": ["Analytics"], "documentation": []},
    "69": {"name": "Facebook Places", "network_signature": "\\.facebook\\.com", "code_signature": "com.facebook.places",
           "creation_date": "2017-12-05", "website": "https://developers.facebook.com/docs/android", "description": ""},
    "12": {"id": 12, "name": "Google Firebase Analytics", "categories": ["Analytics"],
           "code_signature": "com.google.firebase.analytics.|com.google.android.gms.measurement.",
           "network_signature": "firebase\\.com|firebaseinstallations\\.googleapis\\.com", "website": "https://firebase.google.com"},
    "500": {"id": 500, "name": "Acme Health Beacon", "categories": ["Analytics", "Profiling"],
            "code_signature": "io.acmehealth.beacon.", "website": "https://acmehealth.example",
            "network_signature": "beacon\\.acmehealth\\.io|acme-collect\\.net|[0-9]+\\.acme\\.xyz|100\\.64\\.1\\.2"},
    "501": {"id": 501, "name": "Sneaky Ads", "categories": ["Advertisement"], "code_signature": "com.sneaky.ads.",
            "network_signature": "sneaky\\.io|graph\\.facebook\\.com", "website": ""},
    "502": {"id": 502, "code_signature": "org.nameless."},
    "503": {"id": 503, "name": "Yandex Ad", "categories": ["Advertisement"], "code_signature": "com.yandex.mobile.ads.",
            "network_signature": "yandexadexchange\\.net|an\\.yandex\\.ru"},
}}


def test_signature_parsing():
    assert parse_network_signature("\\.facebook\\.com|graph\\.facebook\\.com") == (["facebook.com", "graph.facebook.com"], 0)
    assert parse_network_signature("^.*\\.crashlytics\\.com$|[a-z]+\\.x\\.com|10\\.0\\.0\\.1") == (["crashlytics.com"], 2)
    assert parse_code_signature("com.databerries.|com.geolocstation.") == (["com.databerries", "com.geolocstation"], 0)
    assert parse_code_signature("com\\.adjust\\.sdk\\.|^x[0-9]") == (["com.adjust.sdk"], 1)
    assert parse_network_signature(None) == ([], 0) and parse_code_signature("") == ([], 0)


def test_import_merges_known_companies_and_adds_new_ones(tmp_path, private_home, capsys):
    src = tmp_path / "exodus.json"
    src.write_text(json.dumps(EXODUS))
    summary = cli_import(str(src))
    out = capsys.readouterr().out
    assert (summary["trackers"], summary["added"], summary["merged"], summary["unchanged"]) == (7, 2, 3, 1)
    assert summary["skipped"] == {"record without a name": 1, "network signature not a plain host": 2,
                                  "domain of another company": 1}
    assert "2 added, 3 merged" in out

    overlay = private_home / "trackers-overlay.json"
    assert stat.S_IMODE(overlay.stat().st_mode) == 0o600
    assert stat.S_IMODE(private_home.stat().st_mode) == 0o700
    doc = json.loads(overlay.read_text())
    assert doc["schema"] == "hpa.trackers-overlay/1"
    assert {c["entity"] for c in doc["companies"]} == {"Google", "Meta", "Yandex", "Acme Health Beacon", "Sneaky Ads"}

    kb = load_kb()
    acme = kb.match_host("eu.beacon.acmehealth.io")
    assert acme.entity == "Acme Health Beacon" and acme.categories == ("analytics", "advertising")
    assert kb.match_host("acme-collect.net").entity == "Acme Health Beacon"
    assert kb.match_class("io.acmehealth.beacon.Tracker").entity == "Acme Health Beacon"
    assert kb.entity("Acme Health Beacon").origin == "overlay"
    # merged: a new Google domain and the Exodus wording as an alias; a borrowed Meta host stays Meta's
    assert kb.match_host("firebase.com").entity == "Google"
    assert kb.canonical_name("Google Firebase Analytics") == "Google"
    assert kb.canonical_name("Facebook Places") == "Meta"      # Exodus wordings resolve from now on
    assert kb.entity("Google").origin == "bundled+overlay"
    assert kb.match_host("graph.facebook.com").entity == "Meta"
    assert kb.match_host("sneaky.io").entity == "Sneaky Ads"

    again = cli_import(str(src))            # importing twice changes nothing
    assert (again["added"], again["merged"], again["unchanged"]) == (0, 0, 6)
    assert json.loads(overlay.read_text()) == doc


@pytest.mark.parametrize("content,problem", [
    ("not json at all", "not a tracker list"),           # not JSON: read as CSV, which has no domain/company header
    ('{"applications": []}', "not a tracker list"),
    ('[1, 2]', "not a tracker list"),
    ('{"trackers": ', "not valid JSON"),
])
def test_a_bad_file_is_an_input_error_and_leaves_no_overlay(tmp_path, private_home, content, problem):
    src = tmp_path / "bad.json"
    src.write_text(content)
    with pytest.raises(InputError) as ei:
        cli_import(str(src))
    assert problem in str(ei.value) and str(src) in str(ei.value)
    assert not (private_home / "trackers-overlay.json").exists()


def test_cli_import_one_line_errors(tmp_path, private_home):
    hpa = str(Path(sys.executable).with_name("hpa"))
    env = {**os.environ, "HPA_HOME": str(private_home)}
    src = tmp_path / "exodus.json"
    src.write_text(json.dumps(EXODUS))
    r = subprocess.run([hpa, "trackers", "import", str(src)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "7 trackers" in r.stdout, r.stderr
    r = subprocess.run([hpa, "trackers", "show", "Sneaky Ads", "-f", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(r.stdout)["domains"] == {"sneaky.io": ["advertising"]}
    r = subprocess.run([hpa, "trackers", "import", str(tmp_path / "missing.json")], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
