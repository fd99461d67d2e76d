"""`--avd NAME`: start an Android SDK emulator headless (the user's SDK; hpa downloads nothing).

Rooting/CA follow android.py: Google APIs / AOSP images allow `adb root`; "Google Play" images do not.
`-writable-system` lets API <= 30 take the CA into /system; newer images get the tmpfs methods.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import CaptureError


def find_sdk(env: dict[str, str] | None = None) -> Path:
    """ANDROID_HOME, then ANDROID_SDK_ROOT, then ~/Android/Sdk: the first holding emulator/emulator."""
    env = dict(os.environ if env is None else env)
    tried = []
    for cand in (env.get("ANDROID_HOME"), env.get("ANDROID_SDK_ROOT"),
                 str(Path(env.get("HOME", str(Path.home()))) / "Android" / "Sdk")):
        if not cand:
            continue
        tried.append(cand)
        if (Path(cand) / "emulator" / "emulator").is_file():
            return Path(cand)
    raise CaptureError("--avd needs the Android SDK emulator: set ANDROID_HOME (or ANDROID_SDK_ROOT) to an SDK "
                       "holding emulator/emulator and a system image (sdkmanager 'emulator' "
                       "'system-images;android-30;google_apis;x86_64'; avdmanager create avd ...)"
                       + (f"; looked in: {', '.join(tried)}" if tried else "; none is set"))


def list_avds(sdk: Path) -> list[str]:
    r = subprocess.run([str(sdk / "emulator" / "emulator"), "-list-avds"], capture_output=True, text=True, timeout=60)
    return [ln.strip() for ln in r.stdout.splitlines() if ln.strip() and not ln.startswith("INFO")]


def free_console_port() -> int:
    """An even port in 5554..5682 with it and the next one free (the emulator uses console + adb ports)."""
    for port in range(5554, 5684, 2):
        ok = True
        for p in (port, port + 1):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", p)) == 0:
                    ok = False
        if ok:
            return port
    raise CaptureError("no free emulator port between 5554 and 5682")


def emulator_command(sdk: Path, avd: str, port: int, writable_system: bool = True) -> list[str]:
    cmd = [str(sdk / "emulator" / "emulator"), "-avd", avd, "-port", str(port), "-no-window", "-no-audio",
           "-no-boot-anim", "-no-snapshot-save", "-netdelay", "none", "-netspeed", "full"]
    if writable_system:
        cmd.append("-writable-system")
    return cmd


@dataclass
class Emulator:
    avd: str
    serial: str
    proc: subprocess.Popen[bytes]
    console_port: int

    def stop(self) -> None:
        if self.proc.poll() is None:
            subprocess.run(["adb", "-s", self.serial, "emu", "kill"], capture_output=True, timeout=30)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                self.proc.wait(timeout=10)

    def geo_fix(self, lat: float, lon: float) -> None:
        """Set the emulated GPS fix (note the emulator console's lon-then-lat order)."""
        subprocess.run(["adb", "-s", self.serial, "emu", "geo", "fix", str(lon), str(lat)], capture_output=True,
                       timeout=30)


def start_emulator(avd: str, log_path: Path, boot_timeout: float = 300.0) -> Emulator:
    sdk = find_sdk()
    known = list_avds(sdk)
    if avd not in known:
        raise CaptureError(f"no AVD named {avd!r} (emulator -list-avds: {', '.join(known) or 'none'})")
    port = free_console_port()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    proc = subprocess.Popen(emulator_command(sdk, avd, port), stdout=fd, stderr=subprocess.STDOUT,
                            start_new_session=True)
    os.close(fd)
    emu = Emulator(avd, f"emulator-{port}", proc, port)
    deadline = time.monotonic() + boot_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CaptureError(f"the emulator exited ({proc.returncode}); see {log_path}")
        r = subprocess.run(["adb", "-s", emu.serial, "shell", "getprop", "sys.boot_completed"],
                           capture_output=True, text=True, timeout=30)
        if r.stdout.strip() == "1":
            return emu
        time.sleep(3)
    emu.stop()
    raise CaptureError(f"the emulator did not boot within {boot_timeout:.0f} s; see {log_path}")
