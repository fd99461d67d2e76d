"""Frida TLS unpinning: compile the bundled agent, check host/server versions, push frida-server, inject.

The agent (analyzer/data/capture/frida/unpin.ts) imports `frida-java-bridge`, which Frida 17 no longer bundles: it is
compiled with `frida.Compiler` against node_modules/ of a folder holding package.json (the repo root, `npm install`).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from ..errors import CaptureError

REMOTE_SERVER = "/data/local/tmp/hpa-frida-server"
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def agent_source() -> Path:
    return Path(str(resources.files("analyzer") / "data" / "capture" / "frida" / "unpin.ts"))


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder above the agent (or HPA_NODE_ROOT) with node_modules/frida-java-bridge."""
    env = os.environ.get("HPA_NODE_ROOT")
    candidates = [Path(env)] if env else []
    candidates += list((start or agent_source()).resolve().parents)
    for c in candidates:
        if (c / "node_modules" / "frida-java-bridge" / "package.json").is_file():
            return c
    raise CaptureError("frida-java-bridge is not installed: run `npm install` in the hpa source folder "
                       "(or `make node`), or set HPA_NODE_ROOT to a folder holding node_modules/frida-java-bridge")


def compile_agent(cache_dir: Path | None = None) -> str:
    """The agent as one JS bundle (cached by source + frida version; a compile takes ~0.3 s)."""
    import frida

    src = agent_source()
    root = find_project_root()
    key = hashlib.sha256(src.read_bytes() + frida.__version__.encode()).hexdigest()[:16]
    cache = (cache_dir or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hpa") / f"unpin-{key}.js"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    diags: list[Any] = []
    compiler = frida.Compiler()
    compiler.on("diagnostics", diags.extend)
    try:
        bundle = compiler.build(str(src), project_root=str(root))
    except Exception as e:  # noqa: BLE001 - frida reports compile failures with several error classes
        raise CaptureError(f"the frida agent did not compile: {e}; diagnostics: {diags}") from e
    cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    from ..fsutil import atomic_write_text
    atomic_write_text(cache, bundle)
    return bundle


def parse_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION.search(text or "")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def check_versions(host: str, server: str) -> None:
    """frida host and frida-server must share major.minor (the protocol changes between them)."""
    h, s = parse_version(host), parse_version(server)
    if s is None:
        raise CaptureError(f"frida-server did not report a version ({server.strip()[:80]!r}): is it the right binary "
                           "for the device's CPU (adb shell getprop ro.product.cpu.abi)?")
    if h is None or h[:2] != s[:2]:
        raise CaptureError(f"frida version mismatch: host frida {host}, frida-server {'.'.join(map(str, s))}; "
                           f"download frida-server {host} for the device's ABI "
                           f"(https://github.com/frida/frida/releases/tag/{host}) or `pip install frida=={'.'.join(map(str, s))}`")


@dataclass
class UnpinResult:
    injected: bool
    pid: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        hooked = sorted({h for m in self.messages for h in m.get("hooked", [])})
        java = next((m.get("available") for m in self.messages if m.get("part") == "java"), None)
        return {"injected": self.injected, "pid": self.pid, "java_vm": java, "hooked": hooked, "error": self.error}


def load_agent(session: Any, bundle: str, wait_s: float = 2.0) -> list[dict[str, Any]]:
    """Create + load the script in an attached session; return the agent's reports received within `wait_s`."""
    msgs: list[dict[str, Any]] = []

    def on_message(m: dict[str, Any], _data: Any) -> None:
        if m.get("type") == "send" and isinstance(m.get("payload"), dict):
            msgs.append(m["payload"])
        elif m.get("type") == "error":
            msgs.append({"type": "hpa-unpin", "part": "error", "hooked": [], "missing": [m.get("description", "")]})

    script = session.create_script(bundle)
    script.on("message", on_message)
    script.load()
    deadline = time.time() + wait_s
    while time.time() < deadline and not any(m.get("part") == "java" for m in msgs):
        time.sleep(0.05)
    return msgs


def start_frida_server(shell: Callable[[str], str], push: Callable[[str, str], None], server_binary: str,
                       as_root: Callable[[str], str]) -> str:
    """Push frida-server, start it as root (daemonized, -D), return its version (`frida-server --version`)."""
    if not Path(server_binary).is_file():
        raise CaptureError(f"--frida-server {server_binary}: no such file")
    push(server_binary, REMOTE_SERVER)
    shell(f"chmod 755 {REMOTE_SERVER}")
    version = shell(f"{REMOTE_SERVER} --version").strip()
    shell(as_root(f"{REMOTE_SERVER} -D"))
    return version


def unpin_app(serial: str, package: str, bundle: str, spawn: bool = True) -> UnpinResult:
    """Spawn (or attach to) the app on the USB/emulator device and inject the agent."""
    import frida

    try:
        dev = frida.get_device(serial, timeout=10)
        if spawn:
            pid = dev.spawn([package])
            session = dev.attach(pid)
            msgs = load_agent(session, bundle)
            dev.resume(pid)
        else:
            pid = dev.get_process(package).pid  # app processes are named after their package
            session = dev.attach(pid)
            msgs = load_agent(session, bundle)
        return UnpinResult(True, pid, msgs)
    except (frida.InvalidArgumentError, frida.ServerNotRunningError, frida.TransportError, frida.NotSupportedError,
            frida.ProcessNotFoundError, frida.TimedOutError, frida.ExecutableNotFoundError) as e:
        return UnpinResult(False, error=f"{type(e).__name__}: {e}")

