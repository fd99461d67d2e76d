"""Packet capture on loopback with the real tools (root only), read back with scapy."""

from __future__ import annotations

import os
import shutil
import socket
import time

import pytest

from analyzer.capture.pcap import PcapCapture, count_packets, proxy_exclusion_filter

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="packet capture needs root")


def _dns_query(name: str, port: int) -> None:
    from scapy.layers.dns import DNS, DNSQR
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(bytes(DNS(id=7, rd=1, qd=DNSQR(qname=name))), ("127.0.0.1", port))


@pytest.mark.root
@needs_root
@pytest.mark.parametrize("tool", ["scapy", "dumpcap"])
def test_capture_dns_query_on_loopback(tool, tmp_path):
    if tool == "dumpcap" and shutil.which("dumpcap") is None:
        pytest.skip("dumpcap not installed")
    from scapy.layers.dns import DNS
    from scapy.utils import rdpcap

    port = 20000 + os.getpid() % 20000
    path = tmp_path / "capture.pcap"
    cap = PcapCapture(path, "lo", f"udp port {port}", prefer=tool).start()
    for _ in range(3):
        _dns_query("tracker.example.com", port)
        time.sleep(0.1)
    res = cap.stop()
    assert res.captured and res.tool == tool and res.packets and res.packets >= 1
    assert path.stat().st_mode & 0o777 == 0o600
    from scapy.layers.inet import UDP
    # not port 53, so scapy does not dissect DNS by itself: parse the UDP payload
    names = [DNS(bytes(p[UDP].payload)).qd[0].qname for p in rdpcap(str(path)) if p.haslayer(UDP)]
    assert b"tracker.example.com." in names
    assert count_packets(path) == res.packets


def test_exclusion_filter():
    assert proxy_exclusion_filter(8080) == "not (host 127.0.0.1 and tcp port 8080)"
    assert proxy_exclusion_filter(None) == ""
