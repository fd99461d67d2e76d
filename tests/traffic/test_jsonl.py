"""hpa JSONL: the writer's own format read back, crash leftovers and foreign lines skipped."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

from mitmproxy.test import tflow

from analyzer.model import Flow, TLSInfo
from analyzer.traffic import JsonlWriter, flow_from_dict, flow_from_mitm, flow_to_dict, open_capture


def sample(i: int = 0, **kw) -> Flow:
    base = dict(id=f"f{i}", host="api.example", time=1700000000.5 + i, phase="background", method="POST",
                port=8443, path="/p", query="a=1", request_headers=[("Content-Type", "application/json"),
                                                                    ("X-Bin", "\udcff raw")],
                request_body=b"\x00\x01binary\xff", status=204, response_headers=[("Server", "x")],
                response_size=0, http_version="HTTP/2.0",
                tls=TLSInfo(sni="api.example", version="TLSv1.3", alpn="h2"), origin="proxy", kind="http",
                server_ip="192.0.2.1")
    base.update(kw)
    return Flow(**base)


def test_roundtrip_and_private_file(tmp_path: Path) -> None:
    flows = [sample(0), sample(1, tls=TLSInfo(sni="pinned.example", intercepted=False, error="unknown ca"),
                               kind="tls", error="unknown ca"), flow_from_mitm(tflow.tflow(resp=True))]
    p = tmp_path / "flows.jsonl"
    with JsonlWriter(p) as w:
        for f in flows:
            w.write(f)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    src = open_capture(p)
    assert src.format == "jsonl"
    back = list(src)
    for a, b in zip(flows, back):
        b.source = a.source
        assert a == b
    assert json.loads(p.read_text().splitlines()[0])["request_body"] == "AAFiaW5hcnn/"


def test_crash_leftovers_and_bad_records_are_counted(tmp_path: Path) -> None:
    p = tmp_path / "flows.jsonl"
    with JsonlWriter(p) as w:
        w.write(sample(0))
    with JsonlWriter(p, append=True) as w:
        w.write(sample(1))
    good = p.read_bytes()
    lines = good.splitlines(keepends=True)
    p.write_bytes(lines[0] + b'{"id": "x", "host": 5}\n' + b"not json\n" + b"[1,2]\n\n" + lines[1] + lines[1][:40])
    src = open_capture(p)
    assert [f.id for f in src] == ["f0", "f1"]
    assert src.stats.skipped == {"bad_flow_record": 2, "bad_json_line": 2}
    assert src.stats.flows == 2


def test_atomic_writer_shows_nothing_before_close(tmp_path: Path) -> None:
    p = tmp_path / "out.jsonl"
    w = JsonlWriter(p, atomic=True)
    w.write(sample())
    assert not p.exists()
    w.close()
    assert len(list(open_capture(p))) == 1


def test_still_compressed_body_is_decoded(tmp_path: Path) -> None:
    d = flow_to_dict(sample(request_headers=[("Content-Encoding", "gzip")], request_body=gzip.compress(b"hello")))
    assert flow_from_dict(d).request_body == b"hello"
    d = flow_to_dict(sample(request_headers=[("Content-Encoding", "gzip")], request_body=b"already plain"))
    assert flow_from_dict(d).request_body == b"already plain"


def test_first_record_longer_than_the_sniff_window(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    with JsonlWriter(p) as w:
        w.write(sample(0, request_body=os.urandom(200_000)))
        w.write(sample(1))
    assert [f.id for f in open_capture(p)] == ["f0", "f1"]


def test_capture_folder_falls_back_to_the_mitm_dump(tmp_path: Path) -> None:
    from mitmproxy import io
    (tmp_path / "flows.jsonl").write_bytes(b'{"schema": "hpa.fl')      # killed during the first write
    with open(tmp_path / "flows.mitm", "wb") as fp:
        io.FlowWriter(fp).add(tflow.tflow(resp=True))
    src = open_capture(tmp_path)
    assert src.format == "capture_dir" and [f.kind for f in src] == ["http"]
    assert list(src) and src.stats.flows == 1                             # a second pass counts afresh
