"""scapy's own warnings (its `WARNING: ...` lines on its own stderr handler) reach the user as hpa's one-line
messages, each once. hpa uses scapy only to sniff when dumpcap is missing (capture/pcap.py routes its warnings there);
the reader of pcap files is hpa's own. The child process imports scapy the way the capture does, then scapy warns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
from analyzer.errors import route_library_warnings
import scapy.error
route_library_warnings()
for _ in range(3):
    scapy.error.log_runtime.warning("invalid interface id 7\nsecond line of detail")
scapy.error.log_runtime.warning("Mac address to reach destination not found. Using broadcast.")
"""


def test_scapy_warnings_are_hpa_one_liners() -> None:
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines, "scapy said nothing"
    assert all(line.startswith("hpa: warning: scapy: ") for line in lines), lines   # never scapy's `WARNING:` format
    assert len([ln for ln in lines if "invalid interface id" in ln]) == 1           # three times, once here
    assert not any("second line" in ln for ln in lines)                             # one line each
    assert len(lines) == 2


def test_the_cli_does_not_import_scapy_to_start() -> None:
    """Routing is done where scapy is used: `hpa --version` must not pay scapy's import (start-up, issue 21)."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "analyzer.cli", "--version"], capture_output=True,
                       text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert not any(line.rstrip().endswith(" scapy") for line in r.stderr.splitlines())
