"""mitmproxy dumps: written by mitmproxy's FlowWriter, from test flows and from a real proxy over TLS."""

from __future__ import annotations

import gzip
import ssl
from pathlib import Path

import pytest
from mitmproxy import flow as mflow
from mitmproxy import io
from mitmproxy.test import tflow

from analyzer.errors import InputError
from analyzer.traffic import JsonlWriter, flow_from_mitm, open_capture
from analyzer.decode.compression import MAX_DECODED
from analyzer.traffic.mitm import flow_from_tls_failure


def write_dump(path: Path, flows: list[mflow.Flow]) -> Path:
    with open(path, "wb") as fp:
        w = io.FlowWriter(fp)
        for f in flows:
            w.add(f)
    return path


def post_flow(host: str = "api.tracker.example", body: bytes = b'{"mood":"anxious"}', enc: str | None = None):
    f = tflow.tflow(resp=True)
    f.request.method = "POST"
    f.request.host = "203.0.113.7"          # transparent/WireGuard mode: the destination IP
    f.request.headers["host"] = host
    f.request.path = "/v1/track?event=open&uid=42"
    if enc:
        f.request.headers["content-encoding"] = enc
    f.request.raw_content = gzip.compress(body) if enc == "gzip" else body
    f.client_conn.sni = host
    f.metadata["hpa.phase"] = "pre_consent"
    return f


def test_http_flow_fields(tmp_path: Path) -> None:
    src = open_capture(write_dump(tmp_path / "dump.bin", [post_flow(enc="gzip")]))
    assert src.format == "mitm"
    [f] = list(src)
    assert f.host == "api.tracker.example"            # the name asked for, not the destination IP
    assert (f.method, f.path, f.query) == ("POST", "/v1/track", "event=open&uid=42")
    assert f.request_body == b'{"mood":"anxious"}'    # content-encoding removed
    assert f.phase == "pre_consent" and f.origin == "proxy" and f.kind == "http"
    assert f.status == 200 and f.response_size == len(b"message")
    assert f.tls and f.tls.sni == "api.tracker.example" and f.tls.intercepted
    assert f.server_ip == "192.168.0.1" and f.time is not None
    assert src.stats.flows == 1 and src.stats.skipped == {}


def test_sni_used_when_host_header_is_an_ip() -> None:
    f = tflow.tflow()
    f.request.host = "198.51.100.2"
    f.request.headers["host"] = "198.51.100.2"
    f.client_conn.sni = "named.example"
    assert flow_from_mitm(f).host == "named.example"


def test_websocket_tcp_dns_and_errors(tmp_path: Path) -> None:
    flows = [tflow.tflow(ws=True, resp=True), tflow.ttcpflow(), tflow.tdnsflow(), tflow.tflow(err=True)]
    out = list(open_capture(write_dump(tmp_path / "d", flows)))
    kinds = [f.kind for f in out]
    assert kinds.count("websocket") >= 3 and "dns" in kinds
    ws = [f for f in out if f.kind == "websocket" and f.id.startswith(flows[0].id)]
    assert [m.request_body for m in ws] == [b"hello binary", b"hello text"]
    assert [f.host for f in out if f.kind == "dns"] == ["dns.google"]
    assert out[-1].error == "error"


def test_gzip_bomb_is_bounded(tmp_path: Path) -> None:
    bomb = b"\0" * (MAX_DECODED + 1024)
    [f] = list(open_capture(write_dump(tmp_path / "d", [post_flow(body=bomb, enc="gzip")])))
    assert len(f.request_body) < 1_000_000           # kept encoded
    assert f.error and "larger than" in f.error


def test_truncated_tail_and_bad_record(tmp_path: Path) -> None:
    p = write_dump(tmp_path / "d", [post_flow(), post_flow(host="b.example")])
    data = p.read_bytes()
    p.write_bytes(data + data[:200])                 # a second write cut short
    src = open_capture(p)
    assert [f.host for f in src] == ["api.tracker.example", "b.example"]
    assert src.stats.skipped == {"mitm_truncated_or_corrupt": 1}
    # a record whose framing is intact but whose content is not a flow: skipped, the rest still read
    from mitmproxy.io import tnetstring
    bad = tnetstring.dumps({b"type": b"http", b"version": 999999})
    p.write_bytes(bad + data)
    src = open_capture(p)
    assert len(list(src)) == 2 and src.stats.skipped == {"bad_mitm_record": 1}


def test_real_proxy_https_gzip_and_refused_tls(real_proxy, stop, tmp_path: Path) -> None:
    body = b'{"cycle_day": 14, "symptoms": ["cramps"]}'
    assert real_proxy.request("events.tracker.example", "POST", "/collect?app=period",
                              body=gzip.compress(body),
                              headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}) == b"ok"
    # a client pinning another CA refuses the proxy's certificate
    pinned = ssl.create_default_context()
    with pytest.raises(ssl.SSLError):
        real_proxy.request("pinned.bank.example", "GET", "/", context=pinned)
    stop(real_proxy)
    flows = list(open_capture(real_proxy.recorder.dump))
    http = [f for f in flows if f.kind == "http"]
    assert len(http) == 1
    f = http[0]
    assert f.host == "events.tracker.example" and f.request_body == body and f.phase == "interaction"
    assert f.tls and f.tls.intercepted and f.tls.version and f.tls.version.startswith("TLS")
    refused = [f for f in flows if f.kind == "tls"]
    assert len(refused) == 1
    r = refused[0]
    assert r.host == "pinned.bank.example" and r.tls and r.tls.sni == "pinned.bank.example"
    assert r.tls.intercepted is False and "trust" in (r.error or "")
    # the same failure through the hook helper, as a JSONL record
    [data] = real_proxy.recorder.failures
    with JsonlWriter(tmp_path / "flows.jsonl") as w:
        w.write(flow_from_tls_failure(data, phase="interaction"))
    [j] = list(open_capture(tmp_path / "flows.jsonl"))
    assert j.kind == "tls" and j.tls and not j.tls.intercepted and j.host == "pinned.bank.example"


def test_tnetstring_that_is_not_a_dump(tmp_path: Path) -> None:
    p = tmp_path / "x"
    p.write_bytes(b"5:hello,")
    with pytest.raises(InputError):
        open_capture(p)
