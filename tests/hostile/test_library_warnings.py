"""scapy's own warnings (its `WARNING: ...` lines) reach the user as hpa's one-line messages, each once: a pcapng
written by scapy's PcapNgWriter, followed by packet blocks on an interface that was never described."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import PcapNgWriter

ROOT = Path(__file__).resolve().parents[2]


def pcapng_with_bad_blocks(path: Path) -> Path:
    pkt = Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=5353, dport=53) / DNS(rd=1, qd=DNSQR(qname="t.example"))
    w = PcapNgWriter(str(path))
    w.write(pkt)
    w.close()
    body = struct.pack("<IIIII", 7, 0, 0, 4, 4) + b"abcd"               # an EPB on interface 7 (there is one)
    block = struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    path.write_bytes(path.read_bytes() + block * 3)
    return path


def test_scapy_warnings_are_hpa_one_liners(tmp_path: Path) -> None:
    pcap = pcapng_with_bad_blocks(tmp_path / "odd.pcapng")
    r = subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(pcap), "-f", "json", "-o",
                        str(tmp_path / "r.json")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines, "scapy said nothing: the file no longer exercises its warning path"
    assert all(line.startswith("hpa: ") for line in lines), lines          # never scapy's own `WARNING:` format
    assert len([ln for ln in lines if "invalid interface id" in ln]) == 1   # three times in the file, once here
