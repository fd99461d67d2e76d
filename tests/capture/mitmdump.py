"""Plain `mitmdump -s` with hpa's two addon files, as a mitmproxy user runs them (no hpa code in between)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from analyzer.capture.proxy import ADDON_PATH, SINKHOLE_PATH

MITMDUMP = Path(sys.executable).parent / "mitmdump"
AVAILABLE = MITMDUMP.exists() or shutil.which("mitmdump") is not None


def export_har(dump: Path, har: Path) -> Path:
    """mitmproxy's own HAR export of a dump (its savehar addon: `mitmdump -nr DUMP --set hardump=HAR`; a `.zhar`
    path gets it zlib-compressed)."""
    subprocess.run([str(MITMDUMP), "-q", "-nr", str(dump), "--set", f"hardump={har}"], check=True, timeout=120,
                   capture_output=True)
    return har


def start_mitmdump(confdir: Path, out: Path, *settings: str) -> tuple[subprocess.Popen, int]:
    """mitmdump with the recorder and the sinkhole (`hpa_sinkhole=true`) on a free loopback port, once it listens;
    `settings` are more `--set` values. Stop it with SIGINT."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = [a for kv in settings for a in ("--set", kv)]
    proc = subprocess.Popen([str(MITMDUMP) if MITMDUMP.exists() else "mitmdump", "-q", "-s", str(ADDON_PATH), "-s",
                             str(SINKHOLE_PATH), "--listen-host", "127.0.0.1", "-p", str(port),
                             "--set", f"confdir={confdir}", "--set", f"hpa_out={out}", "--set", "hpa_sinkhole=true",
                             *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("mitmdump did not listen within 30 s")
