"""Device steps against recorded (synthetic, see fixtures/device/README.md) command outputs, and cainstall."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analyzer.capture import android, cainstall
from analyzer.errors import CaptureError

DEV = Path(__file__).parent / "fixtures" / "device"
ROOT_ID = "uid=0(root) gid=0(root) groups=0(root),1004(input),1007(log),1011(adb),1015(sdcard_rw) context=u:r:su:s0"
SHELL_ID = "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb) context=u:r:shell:s0"


@dataclass
class RecordedDevice:
    """Answers commands from recorded outputs; records everything it was asked (host-side actions included)."""
    outputs: dict[str, str]
    serial: str = "emulator-5554"
    log: list[str] = field(default_factory=list)
    default: str = ""

    def shell(self, cmd: str) -> str:
        self.log.append(cmd)
        if cmd in self.outputs:  # exact recordings first, then "prefix*" ones
            return self.outputs[cmd]
        for prefix, out in self.outputs.items():
            if prefix.endswith("*") and cmd.startswith(prefix[:-1]):
                return out
        return self.default

    def push(self, local: str, remote: str) -> None:
        self.log.append(f"PUSH {Path(local).read_bytes()[:27]!r} {remote}")

    def install(self, apk: str) -> None:
        self.log.append(f"INSTALL {apk}")

    def uninstall(self, package: str) -> None:
        self.log.append(f"UNINSTALL {package}")

    def reverse(self, remote: str, local: str) -> None:
        self.log.append(f"REVERSE {remote} {local}")

    def reverse_remove(self, remote: str) -> None:
        self.log.append(f"REVERSE-REMOVE {remote}")

    def root(self) -> bool:
        self.log.append("ROOT")
        return True

    def remount(self) -> str:
        self.log.append("REMOUNT")
        return "Using overlayfs for /system\nremount succeeded\n"


def _dev(getprop: str, **extra: str) -> RecordedDevice:
    return RecordedDevice({"getprop": (DEV / getprop).read_text(), **extra})


def test_device_info_from_getprop():
    d = _dev("getprop_api34_pixel_user.txt")
    info = android.device_info(d.shell, "2A131FDH200ABC")
    assert (info.api_level, info.android_version, info.model, info.abi) == (34, "14", "Pixel 7", "arm64-v8a")
    assert info.build_type == "user" and info.emulator is False
    emu = android.device_info(_dev("getprop_api30_emulator.txt").shell, "emulator-5554")
    assert emu.api_level == 30 and emu.emulator is True


def test_device_info_garbage_is_clear_error():
    with pytest.raises(CaptureError, match="API level"):
        android.device_info(RecordedDevice({"getprop": "error: closed"}).shell, "x")


def test_root_status_variants():
    assert android.root_status(RecordedDevice({"id": ROOT_ID}).shell).via == "adbd"
    su = android.root_status(RecordedDevice({"id": SHELL_ID, "su -c id 2>&1": ROOT_ID}).shell)
    assert su.rooted and su.via == "su" and su.wrap("id") == "su -c id"
    none = android.root_status(RecordedDevice({"id": SHELL_ID, "su -c id 2>&1": "/system/bin/sh: su: inaccessible or not found",
                                               "su 0 id 2>&1": "/system/bin/sh: su: inaccessible or not found"}).shell)
    assert not none.rooted and "not found" in none.detail


def test_non_root_limits_say_what_is_missing():
    text = " ".join(android.non_root_limits(34))
    for must in ("user CA", "network_security_config", "frida", "advertising ID", "wireguard"):
        assert must in text


def test_identifiers_and_packages():
    d = RecordedDevice({"settings get secure android_id": "b4c7e1f2a9d03e58\n",
                        "su -c *": (DEV / "adid_settings.xml").read_text(),
                        "pm list packages": (DEV / "pm_list_packages.txt").read_text()})
    assert android.android_id(d.shell) == "b4c7e1f2a9d03e58"
    assert android.advertising_id(d.shell, android.RootStatus(True, "su")) == "60e5d787-7b10-4341-8289-a784280e7f1f"
    assert android.advertising_id(d.shell, android.RootStatus(False, None)) is None
    assert "org.hpa.demo.cycle" in android.installed_packages(d.shell)
    assert android.android_id(RecordedDevice({"settings get secure android_id": "null"}).shell) is None


def _ca(confdir: Path) -> bytes:
    from analyzer.capture.proxy import ProxyConfig, RunningProxy
    pem = confdir / "mitmproxy-ca-cert.pem"
    if not pem.exists():  # mitmproxy writes its CA at start
        RunningProxy(ProxyConfig(out_dir=confdir / "x", confdir=confdir)).start().stop()
    return pem.read_bytes()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_subject_hash_old_matches_openssl(confdir):
    pem = _ca(confdir)
    want = subprocess.run(["openssl", "x509", "-subject_hash_old", "-noout"], input=pem, capture_output=True,
                          check=True).stdout.decode().strip()
    assert cainstall.subject_hash_old(pem) == want
    name, content = cainstall.android_ca_file(pem)
    assert name == f"{want}.0" and content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_ca_commands_by_api_level():
    old = cainstall.install_commands(30, "c8750f0d.0")
    assert old[0] == "cp /data/local/tmp/hpa-ca/c8750f0d.0 /system/etc/security/cacerts/c8750f0d.0"
    assert "chmod 644 /system/etc/security/cacerts/c8750f0d.0" in old and not any("mount" in c for c in old)
    mid = cainstall.install_commands(33, "c8750f0d.0")
    assert "mount -t tmpfs tmpfs /system/etc/security/cacerts" in mid and not any("nsenter" in c for c in mid)
    new = cainstall.install_commands(34, "c8750f0d.0")
    # the old store is copied from the APEX before the tmpfs hides it, then bind-mounted into every namespace
    assert new.index("cp /apex/com.android.conscrypt/cacerts/* /data/local/tmp/hpa-ca/old/") < \
        new.index("mount -t tmpfs tmpfs /system/etc/security/cacerts")
    binds = [c for c in new if "nsenter" in c]
    assert len(binds) == 2 and all("mount --bind /system/etc/security/cacerts /apex/com.android.conscrypt/cacerts" in c
                                   for c in binds)
    assert "zygote64" in binds[0] and "ps -o PID= -P" in binds[1]
    assert cainstall.verify_command(34, "c8750f0d.0") == "ls /apex/com.android.conscrypt/cacerts/c8750f0d.0"


def test_install_ca_api34_as_su(confdir):
    pem = _ca(confdir)
    name, _ = cainstall.android_ca_file(pem)
    d = _dev("getprop_api34_emulator.txt", **{"su -c *": ""})
    d.outputs[f"su -c 'ls /apex/com.android.conscrypt/cacerts/{name}'"] = f"/apex/com.android.conscrypt/cacerts/{name}\n"
    info = android.device_info(d.shell, d.serial)
    res = android.install_ca(d, info, android.RootStatus(True, "su"), pem)
    assert res == {"installed": True, "method": "apex_nsenter", "file": name, "reason": None}
    assert any(c.startswith("PUSH b'-----BEGIN CERTIFICATE-----'") for c in d.log)
    assert any("nsenter" in c and c.startswith("su -c ") for c in d.log)


def test_install_ca_not_rooted_and_api30_remount(confdir):
    pem = _ca(confdir)
    d = _dev("getprop_api30_emulator.txt")
    info = android.device_info(d.shell, d.serial)
    assert android.install_ca(d, info, android.RootStatus(False, None), pem)["reason"] == "device not rooted"
    name, _ = cainstall.android_ca_file(pem)
    d.outputs[f"ls /system/etc/security/cacerts/{name}"] = f"/system/etc/security/cacerts/{name}"
    res = android.install_ca(d, info, android.RootStatus(True, "adbd"), pem)
    assert res["installed"] and res["method"] == "system_remount" and "REMOUNT" in d.log


def test_proxy_setup_and_restore():
    d = RecordedDevice({"settings get global http_proxy": "null"})
    st = android.DeviceState()
    android.set_proxy(d, 8081, st)
    st.installed = "org.hpa.demo.cycle"
    assert "REVERSE tcp:8081 tcp:8081" in d.log and "settings put global http_proxy 127.0.0.1:8081" in d.log
    problems = android.restore(d, st)
    assert problems == []
    assert d.log[-3:] == ["settings put global http_proxy :0", "REVERSE-REMOVE tcp:8081", "UNINSTALL org.hpa.demo.cycle"]
    # a previous proxy is put back as it was
    d2 = RecordedDevice({"settings get global http_proxy": "10.0.0.5:3128"})
    st2 = android.DeviceState()
    android.set_proxy(d2, 9000, st2)
    android.restore(d2, st2)
    assert "settings put global http_proxy 10.0.0.5:3128" in d2.log


def test_launch_monkey_commands():
    assert android.launch_command("org.hpa.demo.cycle") == \
        "monkey -p org.hpa.demo.cycle -c android.intent.category.LAUNCHER 1"
    m = android.monkey_command("org.hpa.demo.cycle", 100)
    assert "-s 42" in m and "--pct-syskeys 0" in m and m.endswith("-v 100")


def test_wait_boot_times_out_with_message():
    with pytest.raises(CaptureError, match="did not finish booting"):
        android.wait_boot(RecordedDevice({"getprop sys.boot_completed": ""}).shell, timeout=0.01, sleep=lambda s: None)
