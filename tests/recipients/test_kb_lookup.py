"""Lookups of the knowledge base, the overlay file, and the `hpa trackers list|show` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.recipients.kb import load_kb

HPA = str(Path(sys.executable).with_name("hpa"))


def test_longest_suffix_wins_with_host_level_categories(kb):
    assert kb.match_host("storage.googleapis.com").categories == ("infrastructure",)
    assert kb.match_host("bucket.storage.googleapis.com").is_service_provider
    assert kb.match_host("firebaseinstallations.googleapis.com").categories == ("analytics",)
    other = kb.match_host("maps.googleapis.com")
    assert other.entity == "Google" and other.matched == "googleapis.com" and not other.is_service_provider
    assert kb.match_host("d2x.cloudfront.net").is_service_provider
    assert kb.match_host("aax.amazon-adsystem.com").categories == ("advertising",)
    assert kb.match_host("pinpoint.eu-west-1.amazonaws.com").categories == ("analytics",)


def test_host_matching_is_by_whole_labels_and_normalizes(kb):
    assert kb.match_host("notfacebook.com") is None
    assert kb.match_host("facebook.com.evil.example") is None
    assert kb.match_host("GRAPH.Facebook.COM.").entity == "Meta"
    assert kb.match_host("graph.facebook.com:443").entity == "Meta"
    assert kb.match_host("157.240.1.35") is None
    assert kb.match_host("") is None


def test_class_matching_accepts_descriptors_and_inner_classes(kb):
    assert kb.match_class("Lcom/appsflyer/internal/AFa1xSDK$3;").entity == "AppsFlyer"
    e = kb.match_class("com/facebook/ads/AdView")
    assert (e.entity, e.name, e.categories) == ("Meta", "Facebook Audience Network", ("advertising",))
    # the most specific SDK wins within a company
    assert kb.match_class("com.google.firebase.crashlytics.internal.X").name == "Firebase Crashlytics"
    assert kb.match_class("com.google.firebase.firestore.FirebaseFirestore").categories == ("infrastructure",)
    assert kb.match_class("com.example.MainActivity") is None


def test_entity_by_name_or_alias(kb):
    assert kb.entity("flurry").entity == "Yahoo"
    assert kb.entity("META").entity == "Meta"
    assert "com.facebook.appevents" in kb.entity("Meta").sdk_signatures
    assert kb.entity("no such company") is None
    assert kb.canonical_name("") is None and kb.canonical_name("our partners") is None


def test_find_entities_in_running_text(kb):
    text = ("We share usage data with Facebook, Google Analytics and AppsFlyer. Our branch in Paris may adjust "
            "the segment of users; crash reports go to Sentry and Bugsnag.")
    found = [(m.entity, m.text) for m in kb.find_entities(text)]
    assert found == [("Meta", "Facebook"), ("Google", "Google Analytics"), ("AppsFlyer", "AppsFlyer"),
                     ("Sentry", "Sentry"), ("Bugsnag", "Bugsnag")]
    m = kb.find_entities("Les données sont partagées avec Branch et Segment.")
    assert [x.entity for x in m] == ["Branch", "Segment"]
    assert text[kb.find_entities(text)[1].start:kb.find_entities(text)[1].end] == "Google Analytics"


def test_load_kb_is_cached_until_the_overlay_changes(private_home):
    a = load_kb()
    assert load_kb() is a
    private_home.mkdir(parents=True)
    (private_home / "trackers-overlay.json").write_text(json.dumps({"companies": [
        {"entity": "Example Metrics", "country": "FR", "categories": ["analytics"], "domains": ["metrics.example"],
         "sdk_signatures": ["org.example.metrics"], "aliases": ["ExMetrics"], "source": "test"},
        {"entity": "Meta", "domains": {"meta-test.example": ["advertising"]}, "aliases": ["Facebook Test"]}]}))
    b = load_kb()
    assert b is not a and len(b) == len(a) + 1
    assert b.match_host("x.metrics.example").entity == "Example Metrics"
    assert b.match_class("org.example.metrics.Track").entity == "Example Metrics"
    assert b.canonical_name("exmetrics") == "Example Metrics"
    meta = b.match_host("meta-test.example")
    assert meta.entity == "Meta" and meta.categories == ("advertising",)
    assert b.match_host("graph.facebook.com").entity == "Meta"       # bundled facts stay
    assert b.canonical_name("Facebook Test") == "Meta"


@pytest.mark.parametrize("content,problem", [
    ("{not json", "not valid JSON"),
    ('{"trackers": {}}', "'companies' list"),
    ('{"companies": [{"entity": "X", "categories": ["spying"]}]}', "unknown category spying"),
    ('{"companies": [{"name": "no entity"}]}', "needs an 'entity'"),
])
def test_a_broken_overlay_is_an_input_error(private_home, content, problem):
    private_home.mkdir(parents=True)
    (private_home / "trackers-overlay.json").write_text(content)
    with pytest.raises(InputError) as ei:
        load_kb()
    assert problem in str(ei.value) and "trackers-overlay.json" in str(ei.value)


def _hpa(*args, env_home: Path):
    import os
    env = {**os.environ, "HPA_HOME": str(env_home), "COLUMNS": "200"}
    return subprocess.run([HPA, *args], capture_output=True, text=True, env=env, timeout=60)


def test_cli_list_show_and_unknown_name(private_home):
    r = _hpa("trackers", "list", "--format", "json", env_home=private_home)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) >= 150 and {"Meta", "Google", "Jiguang"} <= {x["entity"] for x in rows}
    r = _hpa("trackers", "show", "Crashlytics", "-f", "json", env_home=private_home)
    assert r.returncode == 0 and json.loads(r.stdout)["entity"] == "Google"
    r = _hpa("trackers", "show", "sdk.fra-02.braze.eu", "-f", "json", env_home=private_home)
    assert json.loads(r.stdout)["entity"] == "Braze"
    r = _hpa("trackers", "show", "com.appsflyer.AppsFlyerLib", env_home=private_home)
    assert r.returncode == 0 and "AppsFlyer" in r.stdout and "appsflyer.com" in r.stdout
    r = _hpa("trackers", "show", "Nobody Corp", env_home=private_home)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == "hpa: error: no company named Nobody Corp"
