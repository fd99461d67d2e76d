"""Fuzz the traffic readers: mutated real files and random bytes; nothing but InputError may escape.

    .venv/bin/python bench/fuzz_readers.py [cases_per_reader]

For each reader (mitm, har, jsonl, pcap, pcapng) prints: cases tried, InputError count, records
skipped inside readable files, unexpected exceptions (must be 0).
"""

from __future__ import annotations

import gzip
import random
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

from analyzer.errors import InputError
from analyzer.model import Flow, TLSInfo
from analyzer.traffic import JsonlWriter, open_capture


def seeds(d: Path) -> dict[str, bytes]:
    """One valid file per format, written by the real tools (mitmproxy, scapy, hpa's writer)."""
    from mitmproxy import io
    from mitmproxy.addons.savehar import SaveHar
    from mitmproxy.test import tflow
    from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap
    from scapy.layers.tls.all import TLS, TLSClientHello
    from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName
    from scapy.utils import PcapNgWriter

    a = tflow.tflow(resp=True)
    a.request.headers["content-encoding"] = "gzip"
    a.request.raw_content = gzip.compress(b'{"mood": "low", "cycle_day": 3}')
    flows = [a, tflow.tflow(ws=True, resp=True), tflow.ttcpflow(), tflow.tdnsflow(), tflow.tflow(err=True)]
    with open(d / "s.mitm", "wb") as fp:
        w = io.FlowWriter(fp)
        for f in flows:
            w.add(f)
    SaveHar().export_har([a, flows[1], flows[4]], str(d / "s.har"))
    with JsonlWriter(d / "s.jsonl") as jw:
        jw.write(Flow(id="1", host="a.example", request_body=b"\x00body", request_headers=[("X", "y")]))
        jw.write(Flow(id="2", host="b.example", kind="tls", tls=TLSInfo(sni="b.example", intercepted=False)))
        jw.write(Flow(id="3", host="c.example", request_headers=[("Content-Encoding", "gzip")],
                      request_body=gzip.compress(b"z" * 100)))
    hello = bytes(TLS(msg=[TLSClientHello(ext=[TLS_Ext_ServerName(servernames=[ServerName(servername=b"y.example")])])]))
    pkts = [
        Ether() / IP(dst="10.0.0.1") / UDP(dport=53) / DNS(qd=DNSQR(qname="x.example")),
        Ether() / IP(src="10.0.0.1") / UDP(sport=53) / DNS(qr=1, qd=DNSQR(qname="z.example"),
                                                           an=DNSRR(rrname="z.example", rdata="192.0.2.9")),
        Ether() / IP(dst="10.0.0.2") / TCP(dport=443) / Raw(hello),
        Ether() / IP(dst="192.0.2.9") / TCP(dport=443) / Raw(hello[:60]),
        Ether() / IP(dst="192.0.2.9") / TCP(dport=443) / Raw(hello[60:]),
        Ether() / IPv6(dst="fd00::1") / UDP(dport=53) / DNS(qd=DNSQR(qname="v6.example")),
    ]
    wrpcap(str(d / "s.pcap"), pkts)
    with PcapNgWriter(str(d / "s.pcapng")) as nw:
        for p in pkts:
            nw.write(p)
    return {k: (d / f"s.{k}").read_bytes() for k in ("mitm", "har", "jsonl", "pcap", "pcapng")}


def mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    r = rng.random()
    if r < 0.05:                          # random bytes behind the right magic
        return bytes(seed[:8]) + rng.randbytes(rng.randrange(0, 2048))
    if r < 0.10:                          # cut anywhere
        return bytes(data[: rng.randrange(0, len(data) + 1)])
    for _ in range(rng.randint(1, 10)):
        if not data:
            break
        i = rng.randrange(len(data))
        op = rng.random()
        if op < 0.4:
            data[i] = rng.randrange(256)
        elif op < 0.55:
            data[i] = rng.choice(b"0123456789:,;{}[]\"\\#^!~\x00\xff")
        elif op < 0.7:
            del data[i: i + rng.randint(1, 64)]
        elif op < 0.85:
            data[i:i] = rng.randbytes(rng.randint(1, 32))
        else:
            data[i:i] = data[i: i + rng.randint(1, 300)]
    return bytes(data)


def run(cases_per_reader: int = 10000, seed: int = 1) -> dict[str, dict[str, int]]:
    rng = random.Random(seed)
    results: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as d:
        base = seeds(Path(d))
        path = Path(d) / "case"
        for reader, valid in base.items():
            c: Counter[str] = Counter()
            examples: list[str] = []
            for _ in range(cases_per_reader):
                path.write_bytes(mutate(rng, valid))
                c["cases"] += 1
                try:
                    src = open_capture(path)
                    for _flow in src:
                        c["flows"] += 1
                    c["records_skipped"] += sum(src.stats.skipped.values())
                except InputError:
                    c["input_errors"] += 1
                except Exception:  # noqa: BLE001 - what the fuzz is looking for
                    c["unexpected"] += 1
                    if len(examples) < 3:
                        examples.append(traceback.format_exc(limit=4))
            results[reader] = dict(c)
            print(f"{reader:7s} cases={c['cases']} input_errors={c['input_errors']} "
                  f"records_skipped={c['records_skipped']} flows={c['flows']} unexpected={c['unexpected']}")
            for e in examples:
                print(e)
    return results


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
