"""adb through adbutils (talks to a running adb server, as `adb` itself does): the DeviceIO of android.py."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import Any

from ..errors import CaptureError


def ensure_server() -> None:
    """Start the adb server if needed (Debian's `adb`); adbutils only talks to a running one."""
    adb = shutil.which("adb")
    if adb is None:
        raise CaptureError("`adb` not found: install it (Debian/Ubuntu: apt-get install adb; or the Android SDK "
                           "platform-tools) and retry")
    r = subprocess.run([adb, "start-server"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise CaptureError(f"adb start-server failed: {(r.stderr or r.stdout).strip()}")


def client(host: str = "127.0.0.1", port: int = 5037) -> Any:
    import adbutils
    return adbutils.AdbClient(host=host, port=port)


def list_serials(host: str = "127.0.0.1", port: int = 5037) -> list[tuple[str, str]]:
    """(serial, state) of every attached device, as `adb devices` shows them."""
    import adbutils
    try:
        return [(d.serial, d.state) for d in client(host, port).list()]
    except adbutils.AdbError as e:
        raise CaptureError(f"cannot talk to the adb server at {host}:{port}: {e}") from e


def connect(serial: str, host: str = "127.0.0.1", port: int = 5037) -> "AdbDeviceIO":
    """The attached device `serial`; a clear error when it is absent, offline or unauthorized."""
    devices = dict(list_serials(host, port))
    if serial not in devices:
        seen = ", ".join(f"{s} ({st})" for s, st in devices.items()) or "none"
        raise CaptureError(f"no device {serial!r} attached (adb devices: {seen}); connect it with USB debugging on, "
                           "or start an emulator (--avd NAME)")
    if devices[serial] != "device":
        hint = {"unauthorized": "accept the USB debugging prompt on the device",
                "offline": "reconnect it or restart adb (adb kill-server)"}.get(devices[serial], "")
        raise CaptureError(f"device {serial} is {devices[serial]}" + (f": {hint}" if hint else ""))
    return AdbDeviceIO(client(host, port).device(serial), host, port)


class AdbDeviceIO:
    def __init__(self, dev: Any, host: str = "127.0.0.1", port: int = 5037):
        self._dev = dev
        self.serial: str = dev.serial
        self._host, self._port = host, port

    def shell(self, cmd: str) -> str:
        return self._dev.shell(cmd, timeout=120)

    def push(self, local: str, remote: str) -> None:
        self._dev.sync.push(local, remote)

    def install(self, apk: str) -> None:
        # -g: grant runtime permissions, so the app runs its full code paths without a human tapping "allow"
        self._dev.install(apk, nolaunch=True, silent=True, flags=["-r", "-t", "-g"])

    def uninstall(self, package: str) -> None:
        self._dev.uninstall(package)

    def reverse(self, remote: str, local: str) -> None:
        self._dev.reverse(remote, local)

    def reverse_remove(self, remote: str) -> None:
        self._dev.reverse_remove(remote)

    def root(self) -> bool:
        try:
            self._dev.root()
        except Exception:  # noqa: BLE001 - "adbd cannot run as root in production builds" comes as various errors
            return False
        time.sleep(2.0)  # adbd restarts
        return "uid=0(" in self.shell("id")

    def remount(self) -> str:
        adb = shutil.which("adb") or "adb"
        r = subprocess.run([adb, "-H", self._host, "-P", str(self._port), "-s", self.serial, "remount"],
                           capture_output=True, text=True, timeout=120)
        return r.stdout + r.stderr
