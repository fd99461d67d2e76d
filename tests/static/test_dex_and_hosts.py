"""The dex table reader and the host rules, on real dex files assembled by smali."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.static.dex import DexError, scan_dex
from analyzer.static.hosts import host_candidates, hosts_in_text, is_bare_host

from .conftest import APKS, ROOT

FULL_DEX2 = zipfile.ZipFile(APKS / "full.apk").read("classes2.dex")


def test_scan_dex_reads_class_names_and_strings():
    d = scan_dex(FULL_DEX2, "classes2.dex")
    assert sorted(d.classes) == sorted([
        "com.appsflyer.AppsFlyerLib", "com.appsflyer.internal.AFb1xSDK", "com.adjust.sdk.Adjust",
        "com.adjust.sdk.ActivityHandler", "cn.jpush.android.api.JPushInterface", "com.umeng.analytics.MobclickAgent",
        "com.umeng.commonsdk.UMConfigure", "com.yandex.metrica.YandexMetrica"])
    assert "https://app.adjust.com" in d.url_strings
    assert "https://%sinapps.%s/api/v6.9/androidevent?app_id=" in d.url_strings
    assert set(d.host_strings) == {"alog.umeng.com", "appsflyer.com"}


def test_scan_dex_agrees_with_dexdump(tmp_path):
    """Debian's dexdump lists the same class descriptors as our table reader."""
    p = tmp_path / "classes2.dex"
    p.write_bytes(FULL_DEX2)
    out = subprocess.run(["dexdump", str(p)], capture_output=True, text=True, check=True).stdout
    descs = [line.split("'")[1] for line in out.splitlines() if "Class descriptor" in line]
    assert sorted(x[1:-1].replace("/", ".") for x in descs) == sorted(scan_dex(FULL_DEX2).classes)


@pytest.mark.parametrize("data, problem", [
    (b"", "not a dex file"),
    (b"dex\n035\x00" + bytes(10), "not a dex file"),
    (FULL_DEX2[:0x70], "table outside the file"),
])
def test_scan_dex_rejects_bad_input(data, problem):
    with pytest.raises(DexError, match=problem):
        scan_dex(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(FULL_DEX2) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_dex_never_crashes_otherwise(edits):
    data = bytearray(FULL_DEX2)
    for pos, value in edits:
        data[pos] = value
    try:
        d = scan_dex(bytes(data))
    except DexError:
        return
    assert all(isinstance(c, str) for c in d.classes)


@pytest.mark.parametrize("text, hosts", [
    ("https://graph.facebook.com/v16.0/%s/activities", ["graph.facebook.com"]),
    ("https://key@o4504.ingest.sentry.io/4505", ["o4504.ingest.sentry.io"]),
    ("see http://legacy.example.org:8080/x and wss://ws.example.net/s", ["legacy.example.org", "ws.example.net"]),
    ("https://%sinapps.%s/api", []),
    ("http://schemas.android.com/apk/res/android", []),
    ("http://localhost:8080/", []),
])
def test_hosts_in_text(text, hosts):
    assert hosts_in_text(text) == hosts


@pytest.mark.parametrize("text, expected", [
    ("app.adjust.com", True), ("tsis.jpush.cn", True), ("cdn.example.org", True),
    ("com.google.android.gms.ads", False),     # Java package, reverse domain order
    ("io.sentry.android", False), ("fr.hpa.demo.grossesse", False),
    ("backup.zip", False), ("setup.py", False), ("libfoo.so", False),   # file names with TLD-like extensions
    ("firebase.analytics", False),             # a real gTLD, but not one a bare host name plausibly uses
    ("api.stride.example", False),             # not a public suffix: accepted only inside a URL
    ("1.2.3", False), ("Graph.Facebook.com", False),
])
def test_is_bare_host(text, expected):
    assert is_bare_host(text) is expected


def test_host_candidates_mixes_urls_and_bare_names():
    assert host_candidates(["https://api.stride.example/v1", "app.adjust.com", "com.adjust.sdk", "hello"]) == {
        "api.stride.example", "app.adjust.com"}


def test_build_script_rebuilds_a_demo_apk(tmp_path, scan):
    """The committed script rebuilds notes.apk from its sources; the scan matches the committed APK."""
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "apks" / "build.py"), "--only", "notes",
                          "--out-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    rebuilt = tmp_path / "notes.apk"
    with zipfile.ZipFile(rebuilt) as z:
        assert {"AndroidManifest.xml", "classes.dex", "resources.arsc"} <= set(z.namelist())
        assert any(n.startswith("META-INF/") and n.endswith(".RSA") for n in z.namelist())   # signed
    a, b = scan(rebuilt), scan(ROOT / "demo" / "apks" / "notes.apk")
    for key in ("package", "version_code", "permissions", "trackers", "hosts", "meta_data", "components",
                "network_security"):
        assert a[key] == b[key], key
