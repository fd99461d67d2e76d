"""`hpa capture` options as a user meets them: the attached device by default, plain help, scenarios listed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .cli import ROOT, hpa


@pytest.mark.skipif(shutil.which("adb") is None, reason="adb not installed (apt-get install adb)")
def test_apk_alone_uses_the_attached_device_or_says_none_is(tmp_path) -> None:
    subprocess.run(["adb", "start-server"], capture_output=True, timeout=30)
    out = subprocess.run(["adb", "devices"], capture_output=True, text=True, timeout=30).stdout
    if any(line.endswith("\tdevice") for line in out.splitlines()):
        pytest.skip("a device is attached here: the capture would run on it")
    r = hpa("capture", "--apk", ROOT / "demo" / "apks" / "notes.apk", "-o", tmp_path, timeout=120)
    assert r.returncode == 3 and "choose exactly one" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("hpa: capture failed: no device attached")


def test_help_shows_plain_types_and_the_scenarios() -> None:
    r = hpa("capture", "--help", env={"COLUMNS": "200"})
    assert r.returncode == 0
    assert "<bool>" not in r.stdout and "<str>" not in r.stdout and "<path>" not in r.stdout
    for name in ("cycle", "demo-basic", "mindful", "notes", "stride"):
        assert name in r.stdout
    for flag in ("--app-id", "--first-party", "--device-ip"):
        assert flag in r.stdout
    r = hpa("analyze", "--help", env={"COLUMNS": "200"})
    assert "list[Path]" not in r.stdout and "PATH..." in r.stdout
