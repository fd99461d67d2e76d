"""scan_apk on the real fixtures built by tools/apks/build.py (smali + aapt + zipalign + apksigner)."""

from __future__ import annotations

import pytest

from .conftest import APKS, DEMO


def _trackers(d: dict) -> dict[tuple[str, str], list[str]]:
    return {(t["entity"], t["name"]): t["evidence"] for t in d["trackers"]}


def test_full_apk_identity(scan):
    d = scan(APKS / "full.apk")
    assert d["schema"] == "hpa.static/1"
    assert d["format"] == "apk"
    assert (d["package"], d["version_name"], d["version_code"]) == ("org.hpa.fixture.full", "2.3.1", 42)
    assert (d["min_sdk"], d["target_sdk"]) == (23, 34)


def test_full_apk_permissions_flags(scan):
    perms = {p["name"]: p for p in scan(APKS / "full.apk")["permissions"]}
    assert set(perms) == {
        "android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE",
        "android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_CONTACTS",
        "android.permission.ACTIVITY_RECOGNITION", "android.permission.POST_NOTIFICATIONS",
        "com.google.android.gms.permission.AD_ID", "android.permission.health.READ_HEART_RATE",
        "android.permission.health.WRITE_MENSTRUATION"}
    dangerous = {n for n, p in perms.items() if p["dangerous"]}
    assert dangerous == {"android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_CONTACTS",
                         "android.permission.ACTIVITY_RECOGNITION", "android.permission.POST_NOTIFICATIONS",
                         "android.permission.health.READ_HEART_RATE", "android.permission.health.WRITE_MENSTRUATION"}
    assert {n for n, p in perms.items() if p["ad_id"]} == {"com.google.android.gms.permission.AD_ID"}
    assert {n for n, p in perms.items() if p["health_connect"]} == {
        "android.permission.health.READ_HEART_RATE", "android.permission.health.WRITE_MENSTRUATION"}


def test_full_apk_trackers_over_both_dex_files(scan):
    d = scan(APKS / "full.apk")
    assert [p["name"] for p in d["files"]["parts"][0]["dex"]] == ["classes.dex", "classes2.dex"]
    assert d["files"]["dex_count"] == 2
    assert _trackers(d) == {
        ("Meta", "Facebook SDK"): ["com.facebook"],
        ("Google", "Google Firebase Analytics"): ["com.google.android.gms.measurement.internal",
                                                  "com.google.firebase.analytics"],
        ("Google", "Google AdMob"): ["com.google.android.gms.ads"],
        ("Braze", "Braze"): ["com.braze"],
        ("Sentry", "Sentry"): ["io.sentry"],
        ("Bugsnag", "Bugsnag"): ["com.bugsnag.android"],
        # classes2.dex
        ("AppsFlyer", "AppsFlyer"): ["com.appsflyer"],
        ("Adjust", "Adjust"): ["com.adjust.sdk"],
        ("Jiguang", "Jiguang"): ["cn.jpush.android.api"],
        ("Umeng", "Umeng"): ["com.umeng.analytics", "com.umeng.commonsdk"],
        ("Yandex", "Yandex"): ["com.yandex.metrica"],
    }
    meta = next(t for t in d["trackers"] if t["entity"] == "Meta")
    assert meta["classes"] == 3 and meta["categories"] == ["advertising", "analytics"]


def test_full_apk_hosts(scan):
    hosts = set(scan(APKS / "full.apk")["hosts"])
    expected = {
        # dex URLs and bare host strings, both dex files
        "graph.facebook.com", "app-measurement.com", "region1.app-measurement.com", "launches.appsflyer.com",
        "inapps.appsflyer.com",
        "appsflyer.com", "app.adjust.com", "gdpr.adjust.com", "sdk.iad-01.braze.com", "o0.ingest.sentry.io",
        "notify.bugsnag.com", "sessions.bugsnag.com", "tsis.jpush.cn", "ulogs.umeng.com", "alog.umeng.com",
        "startup.mobile.yandex.net", "report.appmetrica.yandex.net", "googleads.g.doubleclick.net",
        "api.example.org", "legacy.example.org", "telemetry.example.org",
        # resources.arsc strings, manifest (deep link host, Sentry DSN meta-data), network security config
        "cdn.example.org", "links.example.org", "o4504.ingest.sentry.io",
    }
    assert hosts == expected
    # look-alikes that must not become hosts: a Java package, a file name, templates
    assert not {"com.google.android.gms.ads", "backup.zip", "com.facebook.sdk.applicationid"} & hosts
    assert not any("%" in h for h in hosts)


def test_full_apk_network_security(scan):
    ns = scan(APKS / "full.apk")["network_security"]
    assert ns == {
        "config": "res/xml/network_security_config.xml",
        "cleartext_default": False,
        "cleartext_allowed": True,
        "cleartext_domains": ["legacy.example.org"],
        "user_cas_trusted": True,
        "user_ca_domains": ["*"],
        "debug_user_cas": True,
        "pins": [{"domains": ["api.example.org"],
                  "digests": ["SHA-256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=",
                              "SHA-256/fwza0LRMXouZHRC8Ei+4PyuldPDcf3UKgO/04cDM1oE="],
                  "expiration": "2030-01-01"}],
        "domains": ["api.example.org", "legacy.example.org"],
    }


def test_platform_defaults_without_config(scan):
    ns = scan(DEMO / "notes.apk")["network_security"]     # target SDK 34, no config file
    assert ns["config"] is None
    assert (ns["cleartext_allowed"], ns["user_cas_trusted"], ns["pins"]) == (False, False, [])


def test_full_apk_meta_data_resolved(scan):
    assert scan(APKS / "full.apk")["meta_data"] == {
        "com.braze.api_key": "00000000-1111-2222-3333-444444444444",          # @string reference resolved
        "com.facebook.sdk.ApplicationId": "1234567890123456",                   # @string reference resolved
        "com.google.android.gms.ads.APPLICATION_ID": "ca-app-pub-3940256099942544~3347511713",
        "io.sentry.dsn": "https://f00dcafe@o4504.ingest.sentry.io/4505",
    }


def test_full_apk_exported_components(scan):
    comps = {c["name"]: c for c in scan(APKS / "full.apk")["components"]}
    assert set(comps) == {"org.hpa.fixture.full.MainActivity", "org.hpa.fixture.full.SyncService",
                          "com.appsflyer.SingleInstallBroadcastReceiver", "org.hpa.fixture.full.DataProvider"}
    assert "org.hpa.fixture.full.SettingsActivity" not in comps                  # exported="false"
    assert comps["org.hpa.fixture.full.SyncService"]["permission"] == "android.permission.BIND_JOB_SERVICE"
    assert comps["com.appsflyer.SingleInstallBroadcastReceiver"]["actions"] == ["com.android.vending.INSTALL_REFERRER"]
    assert comps["org.hpa.fixture.full.DataProvider"]["authorities"] == "org.hpa.fixture.full.data"


@pytest.mark.parametrize("name, fmt, base_origin", [("split.apks", "apks", "splits/base-master.apk"),
                                                    ("split.xapk", "xapk", "org.hpa.fixture.split.apk")])
def test_split_bundles_merge_base_and_split(scan, name, fmt, base_origin):
    d = scan(APKS / name)
    assert (d["format"], d["package"], d["version_code"]) == (fmt, "org.hpa.fixture.split", 17)
    parts = d["files"]["parts"]
    assert [(p["origin"], p["role"], p["split"]) for p in parts][0] == (base_origin, "base", None)
    assert [(p["role"], p["split"]) for p in parts][1:] == [("split", "feature_tracking")]
    # the split's own dex and manifest count: Adjust and a location permission live only in the split
    assert set(_trackers(d)) == {("Meta", "Facebook SDK"), ("Adjust", "Adjust")}
    assert {p["name"] for p in d["permissions"]} == {"android.permission.INTERNET", "android.permission.CAMERA",
                                                     "android.permission.ACCESS_COARSE_LOCATION"}
    assert {"api.example.net", "feature.example.net", "app.adjust.com", "graph.facebook.com"} <= set(d["hosts"])


def test_nested_apk_code_counts_but_not_its_manifest(scan):
    d = scan(APKS / "nested.apk")
    assert d["package"] == "org.hpa.fixture.nested"
    nested = [p for p in d["files"]["parts"] if p["role"] == "nested"]
    assert [(p["origin"], p["package"]) for p in nested] == [("assets/plugins/analytics.apk", "org.hpa.fixture.plugin")]
    assert _trackers(d) == {("Sentry", "Sentry"): ["io.sentry"], ("Jiguang", "Jiguang"): ["cn.jpush.android.api"],
                            ("Umeng", "Umeng"): ["com.umeng.analytics", "com.umeng.commonsdk"]}
    assert {"plugin.example.com", "tsis.jpush.cn"} <= set(d["hosts"])
    assert [p["name"] for p in d["permissions"]] == ["android.permission.INTERNET"]   # not the plugin's


DEMO_APPS = {
    "cycle": ("org.hpa.demo.cycle", {"Meta", "Google", "AppsFlyer"}, "api.cycle.example"),
    "mindful": ("org.hpa.demo.mindful", {"Meta", "Branch", "Mixpanel", "Sentry"}, "api.mindful.example"),
    "stride": ("org.hpa.demo.stride", {"Adjust", "Amplitude", "OneSignal"}, "api.stride.example"),
    "notes": ("org.hpa.demo.notes", {"Sentry"}, "api.quietnotes.example"),
    "grossesse": ("fr.hpa.demo.grossesse", {"Google", "Meta", "Batch"}, "api.grossesse.example"),
}


@pytest.mark.parametrize("name", sorted(DEMO_APPS))
def test_demo_apps(scan, name):
    package, entities, backend = DEMO_APPS[name]
    d = scan(DEMO / f"{name}.apk")
    assert d["package"] == package
    assert {t["entity"] for t in d["trackers"]} == entities
    assert backend in d["hosts"]


def test_demo_cycle_flags_health_and_ad_id(scan):
    perms = {p["name"]: p for p in scan(DEMO / "cycle.apk")["permissions"]}
    assert perms["android.permission.health.READ_MENSTRUATION"]["health_connect"] is True
    assert perms["com.google.android.gms.permission.AD_ID"]["ad_id"] is True
    assert scan(DEMO / "cycle.apk")["meta_data"]["com.facebook.sdk.ApplicationId"] == "483920117654321"


def test_real_knowledge_base_when_present():
    kb_mod = pytest.importorskip("analyzer.recipients.kb")
    from analyzer.static import scan_apk

    d = scan_apk(DEMO / "cycle.apk", kb=kb_mod.load_kb())
    assert {"Meta", "Google", "AppsFlyer"} <= {t["entity"] for t in d["trackers"]}
    assert all(t["evidence"] for t in d["trackers"])


def test_bundle_base_found_by_manifest_not_file_name(tmp_path, scan):
    import zipfile

    src = zipfile.ZipFile(APKS / "split.apks")
    p = tmp_path / "renamed.apks"
    with zipfile.ZipFile(p, "w") as z:     # the split sorts first and no name says 'base'
        z.writestr("aa.apk", src.read("splits/feature_tracking-master.apk"))
        z.writestr("zz.apk", src.read("splits/base-master.apk"))
    d = scan(p)
    assert [(f["origin"], f["role"]) for f in d["files"]["parts"]] == [("zz.apk", "base"), ("aa.apk", "split")]
    assert d["network_security"]["config"] is None and d["package"] == "org.hpa.fixture.split"


def test_manifest_matches_androguard_apk_class(scan):
    """Our bounded reader and androguard's own APK class see the same manifest."""
    from loguru import logger

    logger.remove()
    from androguard.core.apk import APK

    a = APK(str(APKS / "full.apk"))
    d = scan(APKS / "full.apk")
    assert d["package"] == a.get_package()
    assert str(d["version_code"]) == a.get_androidversion_code()
    assert sorted(p["name"] for p in d["permissions"]) == sorted(a.get_permissions())
    ref = a.get_attribute_value("meta-data", "value", name="com.facebook.sdk.ApplicationId")
    assert ref.startswith("@")
    resolved = a.get_android_resources().get_resolved_res_configs(int(ref[1:], 16))[0][1]
    assert d["meta_data"]["com.facebook.sdk.ApplicationId"] == resolved
    assert {c["name"] for c in d["components"] if c["type"] == "receiver"} == set(a.get_receivers())


def test_class_level_signature_after_an_unmatched_class_of_its_package():
    """com.adjust.sdk.ActivityHandler comes first in classes2.dex; a signature naming com.adjust.sdk.Adjust must
    still match (the per-package shortcut must not reuse ActivityHandler's miss)."""
    import zipfile
    from dataclasses import dataclass

    from analyzer.static.scan import match_trackers
    from analyzer.static.dex import scan_dex

    @dataclass
    class Sdk:
        prefixes: tuple[str, ...]

    @dataclass
    class Entry:
        entity: str
        sdks: tuple[Sdk, ...]
        categories: tuple[str, ...] = ("attribution",)
        name: str = ""
        matched: str | None = None

    class ListableKB:
        entries = [Entry("Adjust", (Sdk(("com.adjust.sdk.Adjust",)),)),
                   Entry("Umeng", (Sdk(("com.umeng",)),))]

        def __iter__(self):
            return iter(self.entries)

        def match_class(self, name):
            for e in self.entries:
                for p in e.sdks[0].prefixes:
                    if name == p or name.startswith(p + "."):
                        return Entry(e.entity, e.sdks, name=e.entity, matched=p)
            return None

    classes = scan_dex(zipfile.ZipFile(APKS / "full.apk").read("classes2.dex")).classes
    assert classes.index("com.adjust.sdk.ActivityHandler") < classes.index("com.adjust.sdk.Adjust")
    found = {t.entity: (t.evidence, t.classes) for t in match_trackers(classes, ListableKB())}
    assert found == {"Adjust": (["com.adjust.sdk.Adjust"], 1), "Umeng": (["com.umeng"], 2)}
