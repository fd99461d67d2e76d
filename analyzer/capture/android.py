"""Device-side steps of a capture, as small functions over a `Shell` (runs one command on the device, returns stdout).

Keeping them apart from adb itself lets them be tested against recorded device outputs (tests/capture/fixtures/),
since no device or emulator exists on the build machines. Host-side adb actions (push, install, reverse) go through
`DeviceIO` (adb.py implements it with adbutils).
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Protocol

from ..errors import CaptureError
from . import cainstall

Shell = Callable[[str], str]


class DeviceIO(Protocol):
    serial: str

    def shell(self, cmd: str) -> str: ...
    def push(self, local: str, remote: str) -> None: ...
    def install(self, apk: str) -> None: ...          # adb install -r -g
    def uninstall(self, package: str) -> None: ...
    def reverse(self, remote: str, local: str) -> None: ...
    def reverse_remove(self, remote: str) -> None: ...
    def root(self) -> bool: ...                       # adb root; True when adbd now runs as root
    def remount(self) -> str: ...


# --- facts about the device ----------------------------------------------------------------------------------------
_GETPROP = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")


def parse_getprop(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = _GETPROP.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


@dataclass
class DeviceInfo:
    serial: str
    api_level: int
    android_version: str
    model: str
    manufacturer: str
    abi: str
    build_type: str            # user | userdebug | eng
    emulator: bool
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def device_info(shell: Shell, serial: str) -> DeviceInfo:
    p = parse_getprop(shell("getprop"))
    sdk = p.get("ro.build.version.sdk", "")
    if not sdk.isdigit():
        raise CaptureError(f"{serial}: could not read the API level (getprop ro.build.version.sdk gave {sdk!r})")
    return DeviceInfo(serial=serial, api_level=int(sdk), android_version=p.get("ro.build.version.release", ""),
                      model=p.get("ro.product.model", ""), manufacturer=p.get("ro.product.manufacturer", ""),
                      abi=p.get("ro.product.cpu.abi", ""), build_type=p.get("ro.build.type", ""),
                      emulator=p.get("ro.kernel.qemu") == "1" or p.get("ro.boot.qemu") == "1"
                      or serial.startswith("emulator-"),
                      fingerprint=p.get("ro.build.fingerprint", ""))


_UID0 = re.compile(r"\buid=0\(")


@dataclass
class RootStatus:
    rooted: bool
    via: str | None            # "adbd" (adb root) | "su" | None
    detail: str = ""

    def wrap(self, cmd: str) -> str:
        """The command run as root."""
        if self.via == "su":
            return f"su -c {shlex.quote(cmd)}"
        return cmd


def root_status(shell: Shell) -> RootStatus:
    """adbd already root (`id` uid=0), else a working `su` (Magisk / userdebug su), else not rooted."""
    out = shell("id")
    if _UID0.search(out):
        return RootStatus(True, "adbd", out.strip())
    su = shell("su -c id 2>&1")
    if _UID0.search(su):
        return RootStatus(True, "su", su.strip())
    # `su 0 id` is the syntax of AOSP userdebug su
    su0 = shell("su 0 id 2>&1")
    if _UID0.search(su0):
        return RootStatus(True, "su", su0.strip())
    return RootStatus(False, None, su.strip() or out.strip())


def non_root_limits(api_level: int) -> list[str]:
    """What a capture on a non-rooted device can and cannot see: printed to the user and kept in meta.json."""
    return [
        "device not rooted: the capture CA cannot enter the system store; install it as a user CA "
        "(Settings > Security > Encryption & credentials > Install a certificate > CA certificate).",
        f"Android {api_level} apps ignore user CAs unless their network_security_config trusts them "
        "(API >= 24): expect most HTTPS of release apps to fail interception; those handshakes are recorded "
        "(tls.intercepted false, SNI kept) so the report still names whom the app contacted.",
        "frida unpinning needs root (frida-server): not available; apps that pin certificates stay opaque.",
        "the advertising ID is not readable without root: give it with --known-values (Settings > Google > Ads).",
        "in proxy mode apps that ignore the system proxy bypass it: --mode wireguard catches them (and their DNS).",
    ]


def android_id(shell: Shell) -> str | None:
    v = shell("settings get secure android_id").strip()
    return v if re.fullmatch(r"[0-9a-fA-F]{8,16}", v) else None


_ADID = re.compile(r'<string name="adid_key">([0-9a-fA-F-]{36})</string>')


def advertising_id(shell: Shell, root: RootStatus) -> str | None:
    """The Google advertising ID from Play services' preferences (root only)."""
    if not root.rooted:
        return None
    out = shell(root.wrap("cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml 2>/dev/null"))
    m = _ADID.search(out)
    return m.group(1).lower() if m else None


def installed_packages(shell: Shell) -> set[str]:
    return {ln.split(":", 1)[1].strip() for ln in shell("pm list packages").splitlines() if ln.startswith("package:")}


def global_setting(shell: Shell, key: str) -> str | None:
    v = shell(f"settings get global {key}").strip()
    return None if v in ("", "null") else v


# --- set-up and restore --------------------------------------------------------------------------------------------
@dataclass
class DeviceState:
    """What a run changed, to be put back by `restore`."""
    http_proxy: str | None = None
    reverse_ports: list[int] = field(default_factory=list)
    installed: str | None = None          # package installed by this run (uninstalled at the end)
    frida_started: bool = False
    steps: list[str] = field(default_factory=list)


def set_proxy(dev: DeviceIO, port: int, state: DeviceState) -> None:
    """Global HTTP proxy to the host's proxy through `adb reverse` (works for USB devices and emulators alike)."""
    state.http_proxy = global_setting(dev.shell, "http_proxy")
    dev.reverse(f"tcp:{port}", f"tcp:{port}")
    state.reverse_ports.append(port)
    dev.shell(f"settings put global http_proxy 127.0.0.1:{port}")
    state.steps.append(f"http_proxy=127.0.0.1:{port} (adb reverse tcp:{port})")


def restore(dev: DeviceIO, state: DeviceState, root: RootStatus | None = None) -> list[str]:
    """Undo the run's changes; each failure is reported, none stops the others."""
    problems = []
    actions: list[tuple[str, Callable[[], Any]]] = []
    actions.append(("proxy", lambda: dev.shell(
        f"settings put global http_proxy {state.http_proxy}" if state.http_proxy else
        "settings put global http_proxy :0")))
    for p in state.reverse_ports:
        actions.append((f"reverse {p}", lambda p=p: dev.reverse_remove(f"tcp:{p}")))
    if state.installed:
        actions.append(("uninstall", lambda: dev.uninstall(state.installed or "")))
    if state.frida_started and root is not None:
        actions.append(("frida-server", lambda: dev.shell(root.wrap("pkill -f hpa-frida-server"))))
    for name, fn in actions:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - restoring must go on whatever one step raised
            problems.append(f"restore {name}: {e}")
    return problems


def install_ca(dev: DeviceIO, info: DeviceInfo, root: RootStatus, cert_pem: bytes) -> dict[str, Any]:
    """Push the CA and run the API-level method; returns what was done (for meta.json)."""
    name, content = cainstall.android_ca_file(cert_pem)
    method = cainstall.method_for_api(info.api_level)
    if not root.rooted:
        return {"installed": False, "method": None, "file": name, "reason": "device not rooted"}
    import os
    import tempfile
    with tempfile.NamedTemporaryFile("wb", suffix=".0", delete=False) as f:
        f.write(content)
        local = f.name
    try:
        dev.shell(root.wrap(f"mkdir -p -m 700 {cainstall.STAGING}"))
        dev.push(local, f"/data/local/tmp/{name}")
        dev.shell(root.wrap(f"mv /data/local/tmp/{name} {cainstall.STAGING}/{name}"))
    finally:
        os.unlink(local)
    if method == "system_remount":
        if root.via != "adbd" and not dev.root():
            return {"installed": False, "method": method, "file": name,
                    "reason": "API <= 30 needs `adb root` and a writable system (emulator -writable-system)"}
        out = dev.remount()
        if "remount succeeded" not in out.lower() and "remounted" not in out.lower():
            return {"installed": False, "method": method, "file": name,
                    "reason": f"adb remount failed: {out.strip()[:200]} (API 29-30: `adb shell avbctl "
                              "disable-verification`, reboot, retry)"}
    for cmd in cainstall.install_commands(info.api_level, name):
        dev.shell(root.wrap(cmd))
    check = dev.shell(root.wrap(cainstall.verify_command(info.api_level, name)))
    ok = name in check and "No such file" not in check
    return {"installed": ok, "method": method, "file": name,
            "reason": None if ok else f"CA not visible after install: {check.strip()[:200]}"}


def launch_command(package: str) -> str:
    return f"monkey -p {shlex.quote(package)} -c android.intent.category.LAUNCHER 1"


def monkey_command(package: str, events: int, seed: int = 42, throttle_ms: int = 400) -> str:
    # fixed seed: the same taps on a re-run; no system keys, so the monkey stays inside the app
    return (f"monkey -p {shlex.quote(package)} -s {seed} --throttle {throttle_ms} --pct-syskeys 0 "
            f"--ignore-crashes --ignore-timeouts -v {events}")


def background_command() -> str:
    return "input keyevent KEYCODE_HOME"


def wait_boot(shell: Shell, timeout: float = 180.0, sleep: Callable[[float], None] = time.sleep) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shell("getprop sys.boot_completed").strip() == "1":
            return
        sleep(2.0)
    raise CaptureError(f"the device did not finish booting within {timeout:.0f} s")
