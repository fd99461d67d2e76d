"""`hpa doctor`: which capture backends and tools this machine has, and how to get the rest. It only looks
(PATH, importable modules, files); it starts nothing and needs no network."""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import CaptureError

# the one Debian package list of the project (also read by .ci/run and `make test`), when hpa runs from its source
PACKAGES = Path(__file__).resolve().parents[2] / ".ci" / "debian-packages.txt"


@dataclass(frozen=True)
class Check:
    name: str            # backend or tool
    ok: bool
    what_for: str
    detail: str          # what was found, or what is missing
    fix: str             # how to get it ("" when ok)


def _packages() -> dict[str, str]:
    """command or lib:NAME -> Debian package."""
    out: dict[str, str] = {}
    if PACKAGES.is_file():
        for line in PACKAGES.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and not line.startswith("#"):
                for probe in parts[1].split(","):
                    out[probe] = parts[0]
    return out


def _apt(probe: str, pkgs: dict[str, str]) -> str:
    pkg = pkgs.get(probe) or probe.removeprefix("lib:")
    return f"apt-get install {pkg}"


def _tool(name: str, what_for: str, pkgs: dict[str, str]) -> Check:
    path = shutil.which(name)
    return Check(name, bool(path), what_for, path or "not on PATH", "" if path else _apt(name, pkgs))


def checks() -> list[Check]:
    pkgs = _packages()
    root = os.geteuid() == 0
    mitm = importlib.util.find_spec("mitmproxy") is not None
    out = [
        Check("simulate", mitm, "hpa capture --simulate (built-in scenarios through the real proxy)",
              "mitmproxy installed" if mitm else "mitmproxy missing", "" if mitm else "make venv"),
        Check("manual (proxy)", mitm, "hpa capture --manual: any phone set to use the proxy",
              "mitmproxy installed" if mitm else "mitmproxy missing", "" if mitm else "make venv"),
    ]
    rs = importlib.util.find_spec("mitmproxy_rs") is not None
    out.append(Check("manual (wireguard)", rs, "hpa capture --manual --mode wireguard: the phone's WireGuard app "
                     "tunnels to hpa", f"mitmproxy_rs {'installed' if rs else 'missing'}", "" if rs else "make venv"))
    adb = _tool("adb", "hpa capture --apk / --device: a phone or emulator over USB debugging", pkgs)
    out.append(Check("device", adb.ok, adb.what_for, adb.detail, adb.fix))
    try:
        from .avd import find_sdk

        sdk = find_sdk()
        out.append(Check("avd", True, "hpa capture --avd NAME: an SDK emulator started headless", str(sdk), ""))
    except CaptureError as e:
        out.append(Check("avd", False, "hpa capture --avd NAME: an SDK emulator started headless", "no Android SDK "
                         "emulator found", str(e).split(": ", 1)[-1]))
    frida = importlib.util.find_spec("frida") is not None
    try:
        from .frida_agent import find_project_root

        bridge = str(find_project_root())
    except CaptureError:
        bridge = ""
    out.append(Check("frida unpinning", frida and bool(bridge), "--unpin: TLS unpinning inside the app (rooted device)",
                     f"frida {'installed' if frida else 'missing'}; frida-java-bridge {bridge or 'missing'}",
                     "" if frida and bridge else "make venv node (needs npm: " + _apt("npm", pkgs) + ")"))
    dumpcap = shutil.which("dumpcap")
    libpcap = ctypes.util.find_library("pcap")
    pcap_ok = bool(dumpcap) or (root and bool(libpcap))
    out.append(Check("packet capture", pcap_ok, "capture.pcap: what bypassed the proxy (DNS, TLS names)",
                     f"dumpcap {dumpcap or 'missing'}; libpcap {libpcap or 'missing'}; "
                     f"{'root' if root else 'not root'}",
                     "" if pcap_ok else (_apt("dumpcap", pkgs) if not dumpcap else "") +
                     ("" if libpcap else ("; " if not dumpcap else "") + _apt("lib:pcap", pkgs))))
    wg = [t for t in ("wireguard-go", "wg", "ip") if not shutil.which(t)]
    out.append(Check("wireguard (device)", not wg, "--mode wireguard on a device, tested in a network namespace",
                     "all found" if not wg else "missing: " + ", ".join(wg),
                     "" if not wg else "; ".join(_apt(t, pkgs) for t in wg)))
    out.append(_tool("aapt", "package names of APKs (androguard is the slower fallback)", pkgs))
    out.append(_tool("chromium", "the test suite's HTML checks (reports themselves need no browser)", pkgs))
    return out


def doctor_dict() -> dict[str, Any]:
    return {"schema": "hpa.doctor/1", "checks": [asdict(c) for c in checks()]}


def print_doctor(fmt: str = "table") -> None:
    import json
    import sys

    if fmt == "json":
        sys.stdout.write(json.dumps(doctor_dict(), indent=2) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="What this machine can capture with")
    for col in ("", "backend / tool", "for", "found", "to install"):
        t.add_column(col)
    for c in checks():
        t.add_row("[green]✓[/]" if c.ok else "[red]✗[/]", escape(c.name), escape(c.what_for), escape(c.detail),
                  escape(c.fix))
    Console().print(t)
