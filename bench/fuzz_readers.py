"""Fuzz the traffic readers: mutated real files and random bytes; nothing but InputError may escape.

    .venv/bin/python bench/fuzz_readers.py [cases_per_reader]

For each reader (mitm, har, har-hostile, jsonl, pcap, pcapng, pcapng-blocks) prints: cases tried, InputError count,
records skipped inside readable files, unexpected exceptions (must be 0). HAR cases also get lone-surrogate escapes,
raw invalid UTF-8 and deep nesting spliced in; the pcapng-blocks seed has two sections (both byte orders), several
interfaces with their own time resolution, comments, Simple and obsolete Packet Blocks, statistics and custom blocks.
"""

from __future__ import annotations

import contextlib
import gzip
import io as _io
import json
import random
import signal
import struct
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.model import Flow, TLSInfo
from analyzer.traffic import JsonlWriter, open_capture


CASE_SECONDS = 20


class _Hang(Exception):
    """A case that ran past CASE_SECONDS."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def read_case(path: Path, c: Counter[str], examples: list[str]) -> None:
    """Read one fuzz case to the end with hpa's readers, counting flows, skipped records, InputErrors (expected),
    hangs and unexpected exceptions (what the fuzz looks for, the first three kept with their traceback)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        with contextlib.redirect_stderr(_io.StringIO()):     # one warning line per damaged file
            src = open_capture(path)
            for _flow in src:
                c["flows"] += 1
        c["records_skipped"] += sum(src.stats.skipped.values())
    except InputError:
        c["input_errors"] += 1
    except _Hang:
        c["hangs"] += 1
    except Exception:  # noqa: BLE001 - what the fuzz is looking for
        c["unexpected"] += 1
        if len(examples) < 3:
            examples.append(traceback.format_exc(limit=5))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


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
    out = {k: (d / f"s.{k}").read_bytes() for k in ("mitm", "har", "jsonl", "pcap", "pcapng")}
    out["har-hostile"] = hostile_har()
    out["pcapng-blocks"] = pcapng_blocks([bytes(p) for p in pkts])
    return out


def hostile_har() -> bytes:
    """Entries that broke the old reader: a non-UTF-8 body as \\udcXX escapes, raw invalid bytes, deep nesting."""
    def e(i: int, text: str) -> dict:
        return {"request": {"method": "POST", "url": f"https://h{i}.example/", "postData": {"text": text}}}
    entries = [json.dumps(e(0, gzip.compress(b"hello").decode("utf-8", "surrogateescape"))),
               json.dumps(e(1, "ok")).replace('"ok"', '"\xff\xfe ok"'),
               '{"request": {"url": "https://deep.example/", "x": ' + "[" * 3000 + "]" * 3000 + "}}",
               json.dumps(e(3, "last"))]
    text = '{"log": {"version": "1.2", "creator": {"name": "mitmproxy"}, "entries": [' + ", ".join(entries) + "]}}"
    return text.encode("utf-8").replace(b"\\xff\\xfe", b"\xff\xfe")


def _block(btype: int, body: bytes, e: str = "<") -> bytes:
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def _opt(code: int, val: bytes, e: str) -> bytes:
    return struct.pack(e + "HH", code, len(val)) + val + b"\0" * (-len(val) % 4)


def pcapng_blocks(frames: list[bytes]) -> bytes:
    out = b""
    for e in ("<", ">"):
        shb = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + _opt(1, b"a comment", e) + _opt(0, b"", e)
        out += _block(0x0A0D0D0A, shb, e)
        out += _block(1, struct.pack(e + "HHI", 1, 0, 0) + _opt(9, b"\x09", e) + _opt(0, b"", e), e)   # ns
        out += _block(1, struct.pack(e + "HHI", 1, 0, 65535) + _opt(9, b"\x86", e) + _opt(14, struct.pack(e + "q", 5), e), e)
        for i, f in enumerate(frames):
            if i % 3 == 0:
                out += _block(6, struct.pack(e + "IIIII", i % 2, 0, 1_700_000_000 + i, len(f), len(f)) + f, e)
            elif i % 3 == 1:
                out += _block(3, struct.pack(e + "I", len(f)) + f, e)
            else:
                out += _block(2, struct.pack(e + "HHIIII", 1, 0, 0, 42, len(f), len(f)) + f, e)
        out += _block(5, struct.pack(e + "III", 0, 0, 0) + _opt(1, b"stats", e), e)     # interface statistics
        out += _block(0x0BAD, b"custom", e)
    return out


JSON_SPLICES = (b"\\udc8b", b"\\ud800", b"\xff\xfe", b"[" * 5000, b"{\"a\":" * 3000, b"\\", b"\"")


def mutate(rng: random.Random, seed: bytes, kind: str = "") -> bytes:
    data = bytearray(seed)
    if kind.startswith("har") and rng.random() < 0.3:   # what exporters and attackers put inside HAR strings
        i = rng.randrange(len(data))
        data[i:i] = rng.choice(JSON_SPLICES)
        return bytes(data)
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
                path.write_bytes(mutate(rng, valid, reader))
                c["cases"] += 1
                read_case(path, c, examples)
            results[reader] = dict(c)
            print(f"{reader:7s} cases={c['cases']} input_errors={c['input_errors']} "
                  f"records_skipped={c['records_skipped']} flows={c['flows']} unexpected={c['unexpected']}")
            for e in examples:
                print(e)
    return results


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
