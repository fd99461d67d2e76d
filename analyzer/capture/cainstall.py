"""Putting the capture CA into an Android device's system trust store, by API level (pure: returns shell commands).

Facts (capture notes; mitmproxy docs; HTTP Toolkit write-ups on Android 14):
- Android 7+ apps ignore user CAs unless they opt in, so the CA goes to the system store, named
  `<subject_hash_old>.0`, mode 644, context system_file.
- API <= 30: writable system (`emulator -writable-system`, `adb root`, `adb remount`): the file is copied into
  /system/etc/security/cacerts and survives reboots.
- API 31-33: a tmpfs over /system/etc/security/cacerts holding the existing certificates plus ours (no remount needed).
- API 34+: Conscrypt reads /apex/com.android.conscrypt/cacerts, per mount namespace: the same tmpfs, then bind-mounted
  onto the APEX path inside zygote, zygote64 and every running app's mount namespace with nsenter. Lost at reboot.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

SYSTEM_CACERTS = "/system/etc/security/cacerts"
APEX_CACERTS = "/apex/com.android.conscrypt/cacerts"
STAGING = "/data/local/tmp/hpa-ca"


def subject_hash_old(cert_pem: bytes) -> str:
    """OpenSSL's `x509 -subject_hash_old`: first 4 bytes of MD5 over the DER subject, read little-endian, 8 hex digits."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    digest = hashlib.md5(cert.subject.public_bytes(), usedforsecurity=False).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


def android_ca_file(cert_pem: bytes) -> tuple[str, bytes]:
    """(file name, content) as Android stores a CA: `<hash>.0` with the PEM (Android also accepts a text dump before it)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    return f"{subject_hash_old(cert_pem)}.0", cert.public_bytes(serialization.Encoding.PEM)


def method_for_api(api_level: int) -> str:
    if api_level <= 30:
        return "system_remount"
    if api_level <= 33:
        return "tmpfs"
    return "apex_nsenter"


def install_commands(api_level: int, ca_name: str, staged: str | None = None) -> list[str]:
    """Root shell commands that make the staged CA file (pushed to `staged`) trusted system-wide.

    The caller pushes the file first (`<STAGING>/<ca_name>`), runs each command as root, then checks with
    `verify_command`. API <= 30 also needs `adb root` + `adb remount` beforehand (host-side; see android.py)."""
    src = staged or f"{STAGING}/{ca_name}"
    q = shlex.quote
    dst = f"{SYSTEM_CACERTS}/{ca_name}"
    fix = [f"chown root:root {q(dst)}", f"chmod 644 {q(dst)}", f"chcon u:object_r:system_file:s0 {q(dst)}"]
    method = method_for_api(api_level)
    if method == "system_remount":
        return [f"cp {q(src)} {q(dst)}", *fix]
    tmpfs = [
        f"rm -rf {STAGING}/old && mkdir -p -m 700 {STAGING}/old",
        # keep the current store (APEX copy on 34+, where /system's may be stale)
        f"cp {APEX_CACERTS if method == 'apex_nsenter' else SYSTEM_CACERTS}/* {STAGING}/old/",
        f"mount -t tmpfs tmpfs {SYSTEM_CACERTS}",
        f"cp {STAGING}/old/* {SYSTEM_CACERTS}/",
        f"cp {q(src)} {q(dst)}",
        f"chown root:root {SYSTEM_CACERTS}/*",
        f"chmod 644 {SYSTEM_CACERTS}/*",
        f"chcon u:object_r:system_file:s0 {SYSTEM_CACERTS}/*",
    ]
    if method == "tmpfs":
        return tmpfs
    bind = f"mount --bind {SYSTEM_CACERTS} {APEX_CACERTS}"
    return tmpfs + [
        # zygotes first, so apps started from now on inherit the mount...
        f"for z in $(pidof zygote) $(pidof zygote64); do nsenter --mount=/proc/$z/ns/mnt -- {bind}; done",
        # ...then every app process already running (children of the zygotes)
        "for z in $(pidof zygote) $(pidof zygote64); do for p in $(ps -o PID= -P $z); do "
        f"nsenter --mount=/proc/$p/ns/mnt -- {bind} & done; done; wait",
    ]


def verify_command(api_level: int, ca_name: str) -> str:
    """A command printing the installed file when the CA is where the TLS stack reads it."""
    where = APEX_CACERTS if method_for_api(api_level) == "apex_nsenter" else SYSTEM_CACERTS
    return f"ls {where}/{ca_name}"


def read_pem(path: Path) -> bytes:
    return Path(path).read_bytes()
