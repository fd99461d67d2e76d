"""adb against a real adb server (no device attached here) and the --avd SDK lookup."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from analyzer.capture import adb, avd
from analyzer.errors import CaptureError


@pytest.fixture(scope="module")
def adb_server():
    if shutil.which("adb") is None:
        pytest.skip("adb not installed (apt-get install adb)")
    was_running = subprocess.run(["adb", "devices"], capture_output=True, text=True).stderr.find("daemon started") < 0
    adb.ensure_server()
    yield
    if not was_running:
        subprocess.run(["adb", "kill-server"], capture_output=True)


def test_empty_device_list_gives_clear_error(adb_server):
    serials = adb.list_serials()
    if serials:
        pytest.skip(f"a device is attached here: {serials}")
    with pytest.raises(CaptureError, match=r"no device 'emulator-5554' attached \(adb devices: none\)"):
        adb.connect("emulator-5554")


def test_unreachable_adb_server_is_clear():
    with pytest.raises(CaptureError, match="cannot talk to the adb server"):
        adb.list_serials(port=1)


def test_find_sdk_missing_is_clear(tmp_path):
    with pytest.raises(CaptureError, match="ANDROID_HOME"):
        avd.find_sdk({"HOME": str(tmp_path)})


def test_find_sdk_and_emulator_command(tmp_path):
    emu = tmp_path / "sdk" / "emulator" / "emulator"
    emu.parent.mkdir(parents=True)
    emu.write_text("#!/bin/sh\necho Pixel_API_34\necho Pixel_API_30\n")
    emu.chmod(0o755)
    sdk = avd.find_sdk({"ANDROID_SDK_ROOT": str(tmp_path / "sdk"), "HOME": str(tmp_path)})
    assert sdk == tmp_path / "sdk"
    assert avd.list_avds(sdk) == ["Pixel_API_34", "Pixel_API_30"]
    cmd = avd.emulator_command(sdk, "Pixel_API_34", 5556)
    assert cmd[:3] == [str(emu), "-avd", "Pixel_API_34"] and "-no-window" in cmd and "-writable-system" in cmd
    assert cmd[cmd.index("-port") + 1] == "5556"
