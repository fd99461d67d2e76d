"""Structure-aware fuzzing of the reader paths byte mutation rarely reaches: HAR and JSONL documents whose strings
carry lone UTF-16 surrogates (`\\ud800` escapes: valid JSON, invalid Unicode), JSON nested thousands deep at any
place of a HAR entry or a JSONL line, and pcapng files made of every block type with valid framing but hostile
contents (wrong lengths, unknown interfaces, huge captured lengths, options, byte order, repeated sections).

    .venv/bin/python bench/fuzz_structured.py [cases_per_target] [target...]    (`make fuzz` runs all: `structured`)

Seeds are written by the real tools (mitmproxy's HAR exporter, hpa's JSONL writer, scapy's PcapNgWriter). Per target
prints: cases, flows read, InputError count, records skipped, hangs, unexpected exceptions (must be 0).
"""

from __future__ import annotations

import json
import random
import struct
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from bench.fuzz_readers import read_case

MAX_DEPTH = 3000          # deep enough for every recursion limit; shallow enough that a depth-squared reader stays small
SURROGATES = ["\\ud800", "\\udfff", "\\udc80", "\\udbff\\ud800", "x\\ud83d", "\\ude00y", "\\ud800\\u0000"]


# --------------------------------------------------------------------------------------------- seeds
def har_seed(d: Path) -> dict[str, Any]:
    from mitmproxy.addons.savehar import SaveHar
    from mitmproxy.test import tflow

    a = tflow.tflow(resp=True)
    a.request.headers["content-type"] = "application/json"
    a.request.content = b'{"mood": "low", "cycle_day": 3, "email": "a@b.example"}'
    b = tflow.tflow(resp=True)
    b.request.method = "POST"
    b.request.urlencoded_form = [("advertiser_id", "38400000-8cf0-11bd-b23e-10b96e40000d"), ("event", "x")]
    SaveHar().export_har([a, b, tflow.tflow(err=True)], str(d / "seed.har"))
    return json.loads((d / "seed.har").read_text())


def jsonl_seed(d: Path) -> list[dict[str, Any]]:
    from analyzer.model import Flow
    from analyzer.traffic import JsonlWriter

    with JsonlWriter(d / "seed.jsonl") as w:
        w.write(Flow(id="1", host="a.example", query="u=1", request_headers=[("Content-Type", "application/json")],
                     request_body=b'{"mood": "low"}'))
        w.write(Flow(id="2", host="b.example", method="POST", request_body=b"k=v&e=a%40b.example"))
    return [json.loads(x) for x in (d / "seed.jsonl").read_text().splitlines()]


def pcapng_seed(d: Path) -> bytes:
    from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, Raw
    from scapy.layers.tls.all import TLS, TLSClientHello
    from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName
    from scapy.utils import PcapNgWriter

    hello = bytes(TLS(msg=[TLSClientHello(ext=[TLS_Ext_ServerName(servernames=[ServerName(servername=b"y.example")])])]))
    with PcapNgWriter(str(d / "seed.pcapng")) as w:
        w.write(Ether() / IP(dst="10.0.0.1") / UDP(dport=53) / DNS(qd=DNSQR(qname="x.example")))
        w.write(Ether() / IP(dst="10.0.0.2") / TCP(dport=443) / Raw(hello))
    return (d / "seed.pcapng").read_bytes()


# --------------------------------------------------------------------------------------------- JSON generators
def _paths(doc: Any, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, here + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, here + (i,))
    return out


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = value
    return doc


MARK = "\x00HPA-SURROGATE-%d\x00"


def with_surrogates(rng: random.Random, doc: Any) -> str:
    """The document's JSON text with lone surrogate escapes put into some of its strings (and keys)."""
    doc = json.loads(json.dumps(doc))
    strings = [p for p in _paths(doc) if p and isinstance(_get(doc, p), str)]
    marks: dict[str, str] = {}
    for i, p in enumerate(rng.sample(strings, min(len(strings), rng.randint(1, 6)))):
        m = MARK % i
        marks[json.dumps(m)[1:-1]] = rng.choice(SURROGATES)
        s = _get(doc, p)
        at = rng.randint(0, len(s))
        _set(doc, p, s[:at] + m + s[at:] if rng.random() < 0.8 else m)
    if isinstance(doc, dict) and rng.random() < 0.3:
        doc[MARK % 99] = "key"
        marks[json.dumps(MARK % 99)[1:-1]] = rng.choice(SURROGATES)
    text = json.dumps(doc)
    for m, sur in marks.items():
        text = text.replace(m, sur)
    return text


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def nested(rng: random.Random, depth: int) -> str:
    """JSON text nested `depth` deep: arrays, objects or both, sometimes left unclosed or closed wrongly."""
    kind = rng.random()
    if kind < 0.4:
        opens, closes = "[" * depth, "]" * depth
    elif kind < 0.8:
        opens, closes = '{"a":' * depth, "}" * depth
    else:
        parts = [rng.choice(('[', '{"k":')) for _ in range(depth)]
        opens, closes = "".join(parts), "".join("]" if p == "[" else "}" for p in reversed(parts))
    cut = rng.random()
    if cut < 0.15:
        closes = closes[: rng.randrange(len(closes) + 1)]        # unclosed
    elif cut < 0.25:
        closes = closes[::-1]                                     # mismatched brackets
    return opens + rng.choice(["1", '"x"', "null", "[]", "{}"]) + closes


def with_nesting(rng: random.Random, doc: Any) -> str:
    """The document's JSON text with a deeply nested value in place of one of its values (or as the whole)."""
    doc = json.loads(json.dumps(doc))
    spots = _paths(doc)
    p = rng.choice(spots) if rng.random() < 0.9 else ()
    m = MARK % 0
    _set(doc, p, m)
    return json.dumps(doc).replace(json.dumps(m), nested(rng, rng.randint(1, MAX_DEPTH)))


def har_case(rng: random.Random, seed: Any, kind: str) -> bytes:
    text = with_surrogates(rng, seed) if kind == "surrogates" else with_nesting(rng, seed)
    return text.encode("utf-8")


def jsonl_case(rng: random.Random, seed: list[dict[str, Any]], kind: str) -> bytes:
    lines = []
    for rec in seed:
        r = rng.random()
        if r < 0.5:
            lines.append(with_surrogates(rng, rec) if kind == "surrogates" else with_nesting(rng, rec))
        else:
            lines.append(json.dumps(rec))
    if kind == "nesting" and rng.random() < 0.3:
        lines.insert(rng.randrange(len(lines) + 1), nested(rng, rng.randint(1, MAX_DEPTH)))
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------- pcapng blocks
BLOCK_TYPES = [0x0A0D0D0A, 1, 2, 3, 4, 5, 6, 0xA, 0x80000001, 0xBAD, 0x40000BAD]


def _options(rng: random.Random, e: str) -> bytes:
    out = b""
    for _ in range(rng.randint(0, 4)):
        code = rng.choice([0, 1, 2, 3, 4, 9, 12, 0x2BAC, rng.randrange(65536)])
        val = rng.randbytes(rng.randint(0, 40))
        length = len(val) if rng.random() < 0.8 else rng.randrange(65536)
        out += struct.pack(e + "HH", code, length) + val + b"\0" * (-len(val) % 4)
    if rng.random() < 0.7:
        out += struct.pack(e + "HH", 0, 0)
    return out


def _body(rng: random.Random, btype: int, e: str, n_ifaces: int) -> bytes:
    if btype == 0x0A0D0D0A:          # section header: magic (maybe the other byte order), version, length
        magic = 0x1A2B3C4D
        return struct.pack(e + "IHHq", magic, rng.choice([1, 1, 2, 0]), rng.choice([0, 0, 9]),
                           rng.choice([-1, 0, 2**40])) + _options(rng, e)
    if btype == 1:                   # interface: link type (Ethernet, raw, Linux SLL, random), snaplen, options
        return struct.pack(e + "HHI", rng.choice([1, 101, 113, 228, rng.randrange(65536)]), 0,
                           rng.choice([0, 65535, 2**32 - 1])) + _options(rng, e)
    if btype == 6 or btype == 2:     # enhanced / obsolete packet: interface id, time, captured and original length
        data = rng.randbytes(rng.randint(0, 200))
        iface = rng.choice([0, n_ifaces - 1, n_ifaces, 7, 2**31]) if n_ifaces else rng.choice([0, 3])
        caplen = len(data) if rng.random() < 0.7 else rng.choice([2**31, 2**32 - 1, len(data) + 4, 0])
        head = struct.pack(e + "IIIII", iface, rng.randrange(2**32), rng.randrange(2**32), caplen,
                           rng.choice([len(data), 2**32 - 1]))
        return head + data + b"\0" * (-len(data) % 4) + (_options(rng, e) if rng.random() < 0.3 else b"")
    if btype == 3:                   # simple packet: original length, data
        data = rng.randbytes(rng.randint(0, 100))
        return struct.pack(e + "I", rng.choice([len(data), 2**32 - 1])) + data + b"\0" * (-len(data) % 4)
    return rng.randbytes(rng.randint(0, 64) * 4)   # name resolution, statistics, secrets, custom, unknown


def pcapng_case(rng: random.Random, seed: bytes) -> bytes:
    e = rng.choice(["<", "<", ">"])
    keep = seed if e == "<" and rng.random() < 0.5 else b""
    out = bytearray(keep)
    n_ifaces = 1 if keep else 0
    if not keep:
        body = _body(rng, 0x0A0D0D0A, e, 0)
        out += struct.pack(e + "II", 0x0A0D0D0A, 12 + len(body)) + body + struct.pack(e + "I", 12 + len(body))
    for _ in range(rng.randint(1, 12)):
        btype = rng.choice(BLOCK_TYPES) if rng.random() < 0.9 else rng.randrange(2**32)
        body = _body(rng, btype, e, n_ifaces)
        n_ifaces += btype == 1
        total = 12 + len(body)
        lead = total if rng.random() < 0.85 else rng.choice([0, 8, 11, total + 2, total - 4, 2**31, 2**32 - 4])
        trail = total if rng.random() < 0.9 else rng.randrange(2**32)
        out += struct.pack(e + "II", btype, lead) + body + struct.pack(e + "I", trail)
    if rng.random() < 0.2:
        out = out[: rng.randrange(len(out) + 1)]
    return bytes(out)


# --------------------------------------------------------------------------------------------- run
def run(cases: int = 10_000, seed: int = 1, names: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Each target (or those of `names`) for `cases` cases."""
    rng = random.Random(seed)
    results: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        har, jsonl, png = har_seed(d), jsonl_seed(d), pcapng_seed(d)
        targets: dict[str, tuple[str, Callable[[], bytes]]] = {
            "har:surrogates": ("case.har", lambda: har_case(rng, har, "surrogates")),
            "har:nesting": ("case.har", lambda: har_case(rng, har, "nesting")),
            "jsonl:surrogates": ("case.jsonl", lambda: jsonl_case(rng, jsonl, "surrogates")),
            "jsonl:nesting": ("case.jsonl", lambda: jsonl_case(rng, jsonl, "nesting")),
            "pcapng:blocks": ("case.pcapng", lambda: pcapng_case(rng, png)),
        }
        for name, (fname, make) in targets.items():
            if names and name not in names:
                continue
            c: Counter[str] = Counter()
            examples: list[str] = []
            path = d / fname
            for _ in range(cases):
                path.write_bytes(make())
                c["cases"] += 1
                read_case(path, c, examples)
            results[name] = dict(c)
            print(f"{name:17s} cases={c['cases']} flows={c['flows']} input_errors={c['input_errors']} "
                  f"records_skipped={c['records_skipped']} hangs={c['hangs']} unexpected={c['unexpected']}",
                  flush=True)
            for ex in examples:
                print(ex)
    return results


if __name__ == "__main__":
    sys.exit(1 if any(r.get("unexpected") or r.get("hangs")
                      for r in run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
                                   names=sys.argv[2:] or None).values()) else 0)
