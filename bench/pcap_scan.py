"""Benchmark: the pcap fast path (RawPcapReader + byte pre-filter) against tshark and scapy's full dissection.

    .venv/bin/python bench/pcap_scan.py [--packets 1000000] [--sample 20000] [--seed 1]

Writes a seeded synthetic capture (mostly TCP data and QUIC, some DNS and TLS ClientHellos) built
from scapy templates whose bytes are varied, then times, in the same run and on the same file, hpa's DNS/SNI
extraction, `tshark -Y "dns or tls.handshake.type == 1"` (Debian's tshark, installed by the bench when missing)
over every packet, and scapy's full dissection over a sample.
"""

from __future__ import annotations

import argparse
import os
import random
import struct
import subprocess
import tempfile
import time
from pathlib import Path

from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, Raw
from scapy.layers.tls.all import TLS, TLSClientHello
from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName
from scapy.utils import PcapReader

from analyzer.traffic.pcap import iter_pcap
from analyzer.traffic.stats import ReadStats
from bench.peers import ensure_debian

PHONE = "10.0.2.15"


def templates(rng: random.Random) -> list[tuple[float, list[bytes]]]:
    """(weight, variants) per kind of packet."""
    def variants(build, n: int = 64) -> list[bytes]:
        return [bytes(build(i)) for i in range(n)]

    def hello(i: int):
        sni = f"host{i}.tracker{i % 7}.example".encode()
        return (Ether() / IP(src=PHONE, dst=f"198.51.100.{i % 250 + 1}") / TCP(sport=40000 + i, dport=443, flags="PA")
                / Raw(bytes(TLS(msg=[TLSClientHello(ciphers=[0x1301], ext=[
                    TLS_Ext_ServerName(servernames=[ServerName(servername=sni)])])]))))

    return [
        (0.62, variants(lambda i: Ether() / IP(src=f"198.51.100.{i % 250 + 1}", dst=PHONE)
                        / TCP(sport=443, dport=40000 + i, flags="A") / Raw(rng.randbytes(rng.choice((100, 600, 1400)))))),
        (0.12, variants(lambda i: Ether() / IP(src=PHONE, dst=f"198.51.100.{i % 250 + 1}") / TCP(sport=40000 + i, dport=443, flags="A"))),
        (0.16, variants(lambda i: Ether() / IP(src=PHONE, dst="142.250.0.1") / UDP(sport=50000 + i, dport=443)
                        / Raw(b"\x40" + rng.randbytes(rng.choice((60, 1200)))))),
        (0.05, variants(lambda i: Ether() / IP(src=PHONE, dst="10.0.2.3") / UDP(sport=30000 + i, dport=53)
                        / DNS(rd=1, qd=DNSQR(qname=f"q{i}.example.com")))),
        (0.03, variants(lambda i: Ether() / IP(src="10.0.2.3", dst=PHONE) / UDP(sport=53, dport=30000 + i)
                        / DNS(qr=1, qd=DNSQR(qname=f"q{i}.example.com"),
                              an=DNSRR(rrname=f"q{i}.example.com", rdata=f"203.0.113.{i % 250 + 1}")))),
        (0.02, variants(hello)),
    ]


def write_pcap(path: Path, packets: int, seed: int) -> None:
    rng = random.Random(seed)
    kinds = templates(rng)
    weights = [w for w, _ in kinds]
    choice = rng.choices(range(len(kinds)), weights=weights, k=packets)
    t0 = 1_700_000_000
    with open(path, "wb", buffering=1 << 20) as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        pack = struct.Struct("<IIII").pack
        for i, k in enumerate(choice):
            frame = bytearray(rng.choice(kinds[k][1]))
            frame[18:20] = (i & 0xFFFF).to_bytes(2, "big")       # vary the IP id
            fp.write(pack(t0 + i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
            fp.write(frame)


def tshark_rate(path: Path, packets: int) -> tuple[float | None, str]:
    """packets/s of tshark's own DNS/ClientHello extraction over the whole file, or (None, why not)."""
    tshark, why = ensure_debian("tshark", "tshark")
    if not tshark:
        return None, why
    t = time.perf_counter()
    r = subprocess.run([tshark, "-n", "-r", str(path), "-Y", "dns or tls.handshake.type == 1", "-T", "fields",
                        "-e", "dns.qry.name", "-e", "tls.handshake.extensions_server_name"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        return None, f"FAILED (tshark exit {r.returncode}: {r.stderr.strip()[:160]})"
    return packets / secs, f"{sum(1 for line in r.stdout.splitlines() if line.strip())} records"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("HPA_BENCH_QUICK") == "1"
    ap.add_argument("--packets", type=int, default=100_000 if quick else 1_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="packets given to scapy's full dissection")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.pcap"
        t = time.perf_counter()
        write_pcap(path, args.packets, args.seed)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        flows = sum(1 for _ in iter_pcap(path, ReadStats(), "bench"))
        fast = args.packets / (time.perf_counter() - t)
        n = 0
        t = time.perf_counter()
        with PcapReader(str(path)) as r:
            for pkt in r:
                pkt.haslayer(DNS)
                n += 1
                if n >= args.sample:
                    break
        full = n / (time.perf_counter() - t)
        tshark, tshark_note = tshark_rate(path, args.packets)
    print(f"generated {args.packets} packets in {gen:.1f} s; flows found: {flows}; skipped: {skipped}; "
          f"tshark: {tshark_note}")
    print(f"pcap_scan: {fast:,.0f} packets/s (scapy full dissection: {full:,.0f} packets/s, ratio {fast / full:.1f})")
    if tshark:
        print(f"pcap_scan_vs_tshark: {fast:,.0f} packets/s (tshark: {tshark:,.0f} packets/s, ratio {fast / tshark:.1f})")
    else:
        print(f"pcap_scan_vs_tshark: {fast:,.0f} packets/s (tshark: {tshark_note})")


if __name__ == "__main__":
    main()
