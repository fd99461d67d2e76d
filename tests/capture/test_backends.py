"""--manual and --device runs through run_capture, with the real proxy; the device answers from recordings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.capture import CaptureOptions, run_capture
from analyzer.capture import adb as adb_mod

from .test_android import DEV, ROOT_ID, SHELL_ID, RecordedDevice

FRAMEWORK = Path("/usr/share/android-framework-res/framework-res.apk")


@pytest.fixture(scope="module")
def apk(tmp_path_factory) -> Path:
    """A real (minimal, unsigned) APK built with Debian's aapt."""
    if shutil.which("aapt") is None or not FRAMEWORK.exists():
        pytest.skip("aapt / android-framework-res not installed")
    d = tmp_path_factory.mktemp("apk")
    (d / "AndroidManifest.xml").write_text(
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="org.hpa.demo.cycle" '
        'android:versionCode="1" android:versionName="1.0"><uses-sdk android:minSdkVersion="21" '
        'android:targetSdkVersion="34"/><application android:label="Cycle"/></manifest>')
    out = d / "cycle.apk"
    subprocess.run(["aapt", "package", "-f", "-M", str(d / "AndroidManifest.xml"), "-I", str(FRAMEWORK),
                    "-F", str(out)], check=True, capture_output=True)
    return out


def test_manual_proxy_run(env_confdir, tmp_path, capfd):
    run = run_capture(CaptureOptions(manual=True, duration=0, pre_consent=0, background=0, output=str(tmp_path)))
    err = capfd.readouterr().err
    assert "Point the device at the capture proxy" in err and "adb reverse tcp:" in err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["backend"] == "manual" and meta["simulated"] is False and run.parent.name == "manual"
    assert [p["name"] for p in meta["phases"]] == ["pre_consent", "interaction", "background"]
    # without the phone's address a pcap on `any` would hold this computer's own traffic: none is made
    assert meta["coverage"]["pcap"]["captured"] is False and "--device-ip" in meta["coverage"]["pcap"]["reason"]
    assert not (run / "capture.pcap").exists()


def test_manual_pcap_keeps_only_the_device(env_confdir, tmp_path):
    run = run_capture(CaptureOptions(manual=True, duration=0, pre_consent=0, background=0, output=str(tmp_path),
                                     device_ip="127.0.0.2"))
    pcap = json.loads((run / "meta.json").read_text())["coverage"]["pcap"]
    if os.geteuid() == 0:
        assert pcap["captured"] is True and (run / "capture.pcap").stat().st_mode & 0o777 == 0o600
        assert pcap["bpf"].startswith("host 127.0.0.2 and ")


def test_manual_until_stopped_with_phase_keys(env_confdir, tmp_path, monkeypatch, capfd):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("c\nx\nb\nq\n"))
    run = run_capture(CaptureOptions(manual=True, output=str(tmp_path), app_id="org.example.phone"))
    err = capfd.readouterr().err
    assert "c consent given" in err and "phase background" in err
    meta = json.loads((run / "meta.json").read_text())
    assert [p["name"] for p in meta["phases"]] == ["pre_consent", "interaction", "background"]
    assert all(p["end"] is not None and p["end"] >= p["start"] for p in meta["phases"])
    assert run.parent.name == "org.example.phone"


def test_manual_wireguard_prints_config_and_qr(env_confdir, tmp_path, capfd):
    run_capture(CaptureOptions(manual=True, mode="wireguard", duration=0, pre_consent=0, background=0,
                               listen_port=51000 + os.getpid() % 800 + 1, output=str(tmp_path)))
    err = capfd.readouterr().err
    assert "[Interface]" in err and "PrivateKey" in err and "Endpoint" in err
    assert "█" in err or "▄" in err              # the QR code, drawn in the terminal


def test_device_run_non_rooted(env_confdir, tmp_path, apk, monkeypatch, capfd):
    dev = RecordedDevice({"getprop": (DEV / "getprop_api34_pixel_user.txt").read_text(), "id": SHELL_ID,
                          "su -c id 2>&1": "/system/bin/sh: su: inaccessible or not found",
                          "su 0 id 2>&1": "/system/bin/sh: su: inaccessible or not found",
                          "settings get secure android_id": "b4c7e1f2a9d03e58",
                          "settings get global http_proxy": "null"}, serial="2A131FDH200ABC")
    monkeypatch.setattr(adb_mod, "ensure_server", lambda: None)
    monkeypatch.setattr(adb_mod, "connect", lambda serial: dev)
    run = run_capture(CaptureOptions(device="2A131FDH200ABC", apk=str(apk), duration=0, pre_consent=0, background=0,
                                     interact="monkey", output=str(tmp_path)))
    meta = json.loads((run / "meta.json").read_text())
    assert run.parent.name == "org.hpa.demo.cycle"
    assert meta["device"]["model"] == "Pixel 7" and meta["device"]["rooted"] is False
    assert meta["persona"]["android_id"] == "b4c7e1f2a9d03e58"
    assert meta["coverage"]["ca"]["installed"] is False
    assert meta["coverage"]["unpinning"]["injected"] is False
    assert any("network_security_config" in n for n in meta["notes"])
    log = dev.log
    order = [next(i for i, c in enumerate(log) if c.startswith(p)) for p in
             ("REVERSE tcp:", "settings put global http_proxy 127.0.0.1:", f"INSTALL {apk}",
              "monkey -p org.hpa.demo.cycle -c android.intent.category.LAUNCHER 1", "monkey -p org.hpa.demo.cycle -s 42",
              "input keyevent KEYCODE_HOME", "settings put global http_proxy :0", "UNINSTALL org.hpa.demo.cycle")]
    assert order == sorted(order), log
    assert "not rooted" in capfd.readouterr().err


def test_device_run_rooted_api34_installs_ca(env_confdir, tmp_path, apk, monkeypatch):
    from analyzer.capture import cainstall

    from .test_android import _ca
    name, _ = cainstall.android_ca_file(_ca(env_confdir))
    dev = RecordedDevice({"getprop": (DEV / "getprop_api34_emulator.txt").read_text(), "id": ROOT_ID,
                          "settings get secure android_id": "7e3a91c5d2b04f86",
                          "cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml 2>/dev/null":
                              (DEV / "adid_settings.xml").read_text(),
                          f"ls /apex/com.android.conscrypt/cacerts/{name}": f"/apex/com.android.conscrypt/cacerts/{name}"})
    monkeypatch.setattr(adb_mod, "ensure_server", lambda: None)
    monkeypatch.setattr(adb_mod, "connect", lambda serial: dev)
    run = run_capture(CaptureOptions(device="emulator-5554", apk=str(apk), unpin=False, duration=0, pre_consent=0,
                                     background=0, output=str(tmp_path)))
    meta = json.loads((run / "meta.json").read_text())
    assert meta["device"]["api_level"] == 34 and meta["device"]["root_via"] == "adbd"
    assert meta["persona"]["advertising_id"] == "60e5d787-7b10-4341-8289-a784280e7f1f"
    assert meta["coverage"]["ca"]["method"] == "apex_nsenter"
    assert meta["coverage"]["ca"]["installed"] is True
    assert any("nsenter" in c for c in dev.log)
