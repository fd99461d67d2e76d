"""Benchmark: hpa's pcap reader against tshark (and scapy's full dissection), same names checked.

    python -m bench.pcap_scan [--packets 200000 1000000] [--sample 20000] [--seed 1]

Writes a seeded synthetic capture per size (mostly TCP data and QUIC, some DNS and TLS ClientHellos, built from
scapy templates whose bytes are varied; cached in bench/out/pcap/), then, in the same run on the same file:
- hpa's scan in this process (`traffic.pcap.iter_pcap`, best of 3) and `hpa analyze FILE -f json` as a whole
  process (reading, then decoding, detection and the report of what it found);
- `tshark -n -r FILE -Y "dns or tls.handshake.type == 1" -T fields -e dns.qry.name -e
  tls.handshake.extensions_server_name` as a whole process (Debian's tshark, installed by the bench when missing);
- scapy's full dissection over a sample.
The DNS names and SNIs each tool found are compared: `same names` or how many differ. Target: >= 10x tshark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
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
from bench import as_installed
from bench.peers import ensure_debian

PHONE = "10.0.2.15"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "pcap"
HPA = ROOT / ".venv" / "bin" / "hpa"


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


def tshark_names(path: Path) -> tuple[float | None, set[str], str]:
    """(wall seconds, names, note) of tshark's own DNS/ClientHello extraction over the whole file."""
    tshark, why = ensure_debian("tshark", "tshark")
    if not tshark:
        return None, set(), why
    t = time.perf_counter()
    r = subprocess.run([tshark, "-n", "-r", str(path), "-Y", "dns or tls.handshake.type == 1", "-T", "fields",
                        "-e", "dns.qry.name", "-e", "tls.handshake.extensions_server_name"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        return None, set(), f"FAILED (tshark exit {r.returncode}: {r.stderr.strip()[:160]})"
    names = {n for line in r.stdout.splitlines() for n in line.replace("\t", ",").split(",") if n}
    return secs, names, f"{len(r.stdout.splitlines())} records"


def hpa_names(path: Path) -> tuple[float, set[str], int]:
    """(best-of-3 seconds, DNS names and SNIs, flows) of hpa's reader in this process."""
    best, names, flows = float("inf"), set(), 0
    for _ in range(3):
        t = time.perf_counter()
        found = list(iter_pcap(path, ReadStats(), "bench"))
        best = min(best, time.perf_counter() - t)
    for f in found:
        if f.kind == "dns" and f.host:
            names.add(f.host)
        elif f.tls is not None and f.tls.sni:
            names.add(f.tls.sni)
    return best, names, len(found)


def hpa_process(path: Path, runs: int = 3) -> float:
    """Median wall seconds of `hpa analyze FILE -f json` as a whole process."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(HPA), "analyze", str(path), "-f", "json"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def scapy_rate(path: Path, sample: int) -> float:
    n = 0
    t = time.perf_counter()
    with PcapReader(str(path)) as r:
        for pkt in r:
            pkt.haslayer(DNS)
            n += 1
            if n >= sample:
                break
    return n / (time.perf_counter() - t)


def main() -> int:
    as_installed()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("HPA_BENCH_QUICK") == "1"
    ap.add_argument("--packets", type=int, nargs="*", default=[20_000] if quick else [200_000, 1_000_000])
    ap.add_argument("--sample", type=int, default=20_000, help="packets given to scapy's full dissection")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for packets in args.packets:
        path = OUT / f"synthetic-{packets}-{args.seed}.pcap"
        if not path.is_file():
            tmp = path.with_suffix(".part")
            write_pcap(tmp, packets, args.seed)
            os.replace(tmp, path)
        scan_s, names, flows = hpa_names(path)
        proc_s = hpa_process(path)
        ts_s, ts_names, note = tshark_names(path)
        tag = f"pcap_{packets // 1000}k"
        print(f"{tag}: hpa scan {packets / scan_s:,.0f} packets/s in-process ({scan_s:.2f} s, {flows} flows); "
              f"hpa analyze whole process {proc_s:.2f} s")
        if ts_s is None:
            print(f"{tag}_vs_tshark: tshark {note}")
            continue
        same = "same names" if names == ts_names else \
            f"names DIFFER: {len(names - ts_names)} only hpa, {len(ts_names - names)} only tshark"
        print(f"{tag}_vs_tshark: tshark {ts_s:.2f} s ({packets / ts_s:,.0f} packets/s, {note}); "
              f"hpa analyze {ts_s / proc_s:.1f}x, hpa scan {ts_s / scan_s:.1f}x (target >= 10x); "
              f"{same} ({len(names)} DNS names and SNIs)")
    full = scapy_rate(OUT / f"synthetic-{args.packets[0]}-{args.seed}.pcap", args.sample)
    print(f"pcap_scapy_dissection: {full:,.0f} packets/s over {args.sample:,} packets (for reference)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
