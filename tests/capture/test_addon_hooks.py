"""Hooks that need an upstream or a WireGuard client (DNS, websocket), driven with mitmproxy's own test flows."""

from __future__ import annotations

import json

from mitmproxy import dns
from mitmproxy.test import taddons, tflow

from analyzer.capture.proxy import load_recorder_module, load_sinkhole_module


def _lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_dns_and_websocket_and_phase_option(tmp_path):
    mod = load_recorder_module()
    rec = mod.HpaRecorder()
    with taddons.context(rec) as tctx:
        tctx.configure(rec, hpa_out=str(tmp_path), hpa_phase="background")
        dflow = tflow.tdnsflow()
        dflow.request.questions.append(dns.Question("second.example", dns.types.AAAA, dns.classes.IN))
        dflow.response = dflow.request.succeed([
            dns.ResourceRecord.CNAME("dns.google", "edge.tracker.example"),
            dns.ResourceRecord.A("edge.tracker.example", __import__("ipaddress").IPv4Address("192.0.2.7")),
        ])
        rec.dns_response(dflow)
        rec.dns_error(dflow)            # a flow seen twice is written once
        wflow = tflow.twebsocketflow()  # messages: client/server text and binary
        rec.requestheaders(wflow)
        for i in range(1, len(wflow.websocket.messages) + 1):
            sub = wflow.websocket.messages[:i]
            saved = wflow.websocket.messages
            wflow.websocket.messages = sub
            rec.websocket_message(wflow)
            wflow.websocket.messages = saved
        rec.done()
    rows = _lines(tmp_path / "flows.jsonl")
    dnsrows = [r for r in rows if r["kind"] == "dns"]
    ws = [r for r in rows if r["kind"] == "websocket"]
    assert [d["host"] for d in dnsrows] == [q.name for q in dflow.request.questions]   # every question, not the first
    assert len(dnsrows) == 2 and all(d["phase"] == "background" for d in dnsrows)
    assert dnsrows[0]["cnames"] == ["edge.tracker.example"] and dnsrows[1]["cnames"] == []   # the chain is kept
    client_msgs = [m for m in wflow.websocket.messages if m.from_client]
    assert len(ws) == len(client_msgs) > 0                       # only what the app sent
    assert all(r["phase"] == "background" for r in ws)


def test_bad_phase_rejected(tmp_path):
    import pytest
    from mitmproxy.exceptions import OptionsError

    rec = load_recorder_module().HpaRecorder()
    with taddons.context(rec) as tctx:
        with pytest.raises(OptionsError):
            tctx.configure(rec, hpa_phase="lunch")


def test_sinkhole_answers_marks_and_sets_lazy_strategy(tmp_path):
    from mitmproxy.addons.proxyserver import Proxyserver

    sink = load_sinkhole_module().HpaSinkhole()
    with taddons.context(sink, Proxyserver()) as tctx:  # connection_strategy is a proxyserver option
        f = tflow.tflow()
        f.response = None
        sink.request(f)
        assert f.response is None and "hpa.sinkhole" not in f.metadata       # off by default: forwarded
        tctx.configure(sink, hpa_sinkhole=True)
        assert tctx.options.connection_strategy == "lazy"
        sink.request(f)
        assert f.response is not None and f.response.status_code == 204 and f.metadata["hpa.sinkhole"] is True
        answered = tflow.tflow(resp=True)          # a flow another addon already answered is left alone
        sink.request(answered)
        assert "hpa.sinkhole" not in answered.metadata and answered.response.status_code == 200
