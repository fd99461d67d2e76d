"""Hooks that need an upstream or a WireGuard client (DNS, websocket), driven with mitmproxy's own test flows."""

from __future__ import annotations

import json

from mitmproxy.test import taddons, tflow

from analyzer.capture.proxy import load_recorder_module


def _lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_dns_and_websocket_and_phase_option(tmp_path):
    mod = load_recorder_module()
    rec = mod.HpaRecorder()
    with taddons.context(rec) as tctx:
        tctx.configure(rec, hpa_out=str(tmp_path), hpa_phase="background")
        dflow = tflow.tdnsflow()
        rec.dns_request(dflow)
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
    dns = [r for r in rows if r["kind"] == "dns"]
    ws = [r for r in rows if r["kind"] == "websocket"]
    assert dns and dns[0]["host"] == dflow.request.questions[0].name and dns[0]["phase"] == "background"
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


def test_sinkhole_sets_lazy_strategy(tmp_path):
    from mitmproxy.addons.proxyserver import Proxyserver

    rec = load_recorder_module().HpaRecorder()
    with taddons.context(rec, Proxyserver()) as tctx:  # connection_strategy is a proxyserver option
        tctx.configure(rec, hpa_sinkhole=True)
        assert tctx.options.connection_strategy == "lazy"
        f = tflow.tflow()
        f.response = None
        rec.request(f)
        assert f.response is not None and f.response.status_code in (200, 204)
