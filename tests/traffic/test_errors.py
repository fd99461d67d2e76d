"""Bad input: clear InputErrors at open; fuzzed and mutated files never raise anything else."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mitmproxy import io
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow
from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, Raw, wrpcap
from scapy.layers.tls.all import TLS, TLSClientHello
from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName

from analyzer.errors import InputError
from analyzer.model import Flow
from analyzer.traffic import JsonlWriter, open_capture
from analyzer.traffic.source import UNKNOWN


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file"),
    (b"hello world, just text\n", UNKNOWN),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, UNKNOWN),
    (b'{"not": "a flow"}\n', UNKNOWN),
    (b"[1, 2, 3]", UNKNOWN),
])
def test_unknown_files(tmp_path: Path, content: bytes, problem: str) -> None:
    p = tmp_path / "capture.har"            # the extension does not decide
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        open_capture(p)
    assert e.value.path == str(p) and e.value.problem == problem


def test_missing_unreadable_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_capture(tmp_path / "nope.mitm")
    with pytest.raises(InputError, match="folder without"):
        open_capture(tmp_path)


def _seeds(d: Path) -> dict[str, bytes]:
    """One small valid file per format, written by the real tools."""
    f = tflow.tflow(resp=True)
    f.request.headers["content-encoding"] = "gzip"
    f.request.raw_content = gzip.compress(b'{"a": 1}')
    with open(d / "s.mitm", "wb") as fp:
        w = io.FlowWriter(fp)
        w.add(f)
        w.add(tflow.tflow(ws=True, resp=True))
    SaveHar().export_har([f, tflow.tflow(resp=True)], str(d / "s.har"))
    with JsonlWriter(d / "s.jsonl") as jw:
        jw.write(Flow(id="1", host="a.example", request_body=b"\x00body"))
        jw.write(Flow(id="2", host="b.example", kind="tls"))
    wrpcap(str(d / "s.pcap"), [
        Ether() / IP(dst="10.0.0.1") / UDP(dport=53) / DNS(qd=DNSQR(qname="x.example")),
        Ether() / IP(dst="10.0.0.2") / TCP(dport=443) / Raw(bytes(TLS(msg=[TLSClientHello(
            ext=[TLS_Ext_ServerName(servernames=[ServerName(servername=b"y.example")])])]))),
    ])
    return {k: (d / f"s.{k}").read_bytes() for k in ("mitm", "har", "jsonl", "pcap")}


SEEDS = _seeds(Path(tempfile.mkdtemp()))


def read_all(data: bytes) -> None:
    """Open and read a file; the only exception allowed is InputError."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as fp:
        fp.write(data)
        fp.flush()
        try:
            src = open_capture(fp.name)
            for _ in src:
                pass
        except InputError:
            pass


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i: i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        else:
            data[i:i] = data[i: i + draw(st.integers(1, 200))]
    return bytes(data)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    read_all(data)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=512))
def test_valid_prefix_with_random_tail(fmt: str, tail: bytes) -> None:
    read_all(SEEDS[fmt][: len(SEEDS[fmt]) // 2] + tail)


@FUZZ
@given(mutated())
def test_mutated_valid_files(data: bytes) -> None:
    read_all(data)


def test_seeds_are_valid() -> None:
    for fmt, data in SEEDS.items():
        with tempfile.NamedTemporaryFile() as fp:
            fp.write(data)
            fp.flush()
            src = open_capture(fp.name)
            assert src.format == fmt and len(list(src)) >= 2 and src.stats.skipped == {}, fmt


def test_deep_json_line_is_skipped(tmp_path: Path) -> None:
    p = tmp_path / "f.jsonl"
    line = json.dumps({"id": "1", "host": "h"})
    p.write_text(line + "\n" + "[" * 100_000 + "\n" + line + "\n")
    src = open_capture(p)
    assert len(list(src)) == 2 and src.stats.skipped == {"bad_json_line": 1}
