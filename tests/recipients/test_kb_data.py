"""The bundled data files: complete, consistent, and free of clashes a lookup would hide."""

from __future__ import annotations

from collections import defaultdict

from analyzer.recipients.kb import CATEGORIES, _legal_words, _norm_name, bundled_entries

REQUIRED = ["Meta", "Google", "AppsFlyer", "Adjust", "Branch", "Amplitude", "Mixpanel", "Segment", "OneSignal", "Braze",
            "Sentry", "Bugsnag", "CleverTap", "Kochava", "Singular", "Yandex", "Yahoo", "Snap", "Criteo", "Pinterest",
            "TikTok", "Jiguang", "Umeng", "Microsoft", "Amazon", "Huawei", "Twitter", "VK", "Tencent", "Baidu", "Xiaomi"]


def test_at_least_150_companies_with_required_canonical_names():
    entries = bundled_entries()
    assert len(entries) >= 150
    names = {e.entity for e in entries}
    assert not [n for n in REQUIRED if n not in names]
    assert len(names) == len(entries), "an entity is listed twice"


def test_every_entry_has_its_facts_and_a_source():
    for e in bundled_entries():
        assert e.source and e.country and e.website and e.parent, e.entity
        assert e.categories and set(e.categories) <= set(CATEGORIES), e.entity
        assert e.domains or e.sdk_signatures, e.entity
        assert len(e.country) == 2 and e.country.isupper(), e.entity


def test_no_domain_prefix_or_alias_is_claimed_by_two_companies():
    doms, prefixes, names = defaultdict(set), defaultdict(set), defaultdict(set)
    legal = _legal_words()
    for e in bundled_entries():
        for d in e.domains:
            doms[d].add(e.entity)
        for p in e.sdk_signatures:
            prefixes[p].add(e.entity)
        for a in (e.entity, *e.aliases):
            names[_norm_name(a, legal)].add(e.entity)
    assert {d: v for d, v in doms.items() if len(v) > 1} == {}
    assert {p: v for p, v in prefixes.items() if len(v) > 1} == {}
    assert {a: v for a, v in names.items() if len(v) > 1} == {}


def test_companies_mixing_infrastructure_and_tracking_categorise_every_domain():
    # otherwise a CDN host would inherit 'advertising', or an ad host would pass as a mere provider
    for e in bundled_entries():
        if "infrastructure" in e.categories and len(e.categories) > 1:
            explicit = dict(e.domain_categories)
            assert [d for d in e.domains if d not in explicit] == [], e.entity


def test_react_native_and_image_libraries_under_com_facebook_are_not_trackers(kb):
    for cls in ("com.facebook.react.ReactActivity", "com.facebook.soloader.SoLoader", "com.facebook.drawee.view.SimpleDraweeView",
                "com.facebook.stetho.Stetho", "com.facebook.adsmanager.Foo"):
        assert kb.match_class(cls) is None, cls
