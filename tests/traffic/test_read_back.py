"""`CaptureSource.read_back(ids)`: the flows a report cites, read again for the HTML viewer, equal to those of a full
pass, with the other records passed over before they are turned into flows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.model import Flow
from analyzer.traffic import JsonlWriter, flow_from_mitm, open_capture
from analyzer.traffic import har as har_mod
from analyzer.traffic import jsonl as jsonl_mod
from analyzer.traffic.jsonl import flow_to_dict, line_id

from .test_har import har
from .test_mitm import post_flow, write_dump


def _full(path: Path, ids: set[str]) -> list[dict]:
    return [flow_to_dict(f) for f in open_capture(path) if f.id in ids]


def _back(path: Path, ids: set[str]) -> list[dict]:
    return [flow_to_dict(f) for f in open_capture(path).read_back(ids)]


def _counting(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[int]:
    calls = [0]
    real = getattr(module, name)

    def counted(*a, **k):
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_jsonl_lines_of_other_flows_are_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "flows.jsonl"
    with JsonlWriter(p) as w:
        for i in range(60):
            w.write(Flow(id=f"f{i}", host=f"h{i}.example", time=1.0 + i, method="POST", path="/e",
                         request_body=json.dumps({"n": i, "mood": "low"}).encode()))
    with open(p, "ab") as fp:           # a line written by another tool (spaces): no id at its head, parsed
        fp.write(json.dumps(flow_to_dict(Flow(id="other", host="o.example"))).encode() + b"\n")
    ids = {"f3", "f41", "other", "absent"}
    assert _back(p, ids) == _full(p, ids) and len(_full(p, ids)) == 3
    calls = _counting(monkeypatch, jsonl_mod, "flow_from_dict")
    assert [f["id"] for f in _back(p, ids)] == ["f3", "f41", "other"]
    assert calls[0] == 3                # only the wanted lines and the one without a readable head


def test_line_id_reads_only_the_writers_head() -> None:
    line = json.dumps(flow_to_dict(Flow(id='a"b\\c', host="h")), separators=(",", ":")).encode()
    assert line_id(line) == 'a"b\\c'
    assert line_id(json.dumps(flow_to_dict(Flow(id="x", host="h"))).encode()) is None     # spaced: not ours


def test_har_entries_of_other_flows_are_not_turned_into_flows(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [{"startedDateTime": "2024-05-01T10:00:00Z",
                "request": {"method": "POST", "url": f"https://h{i}.example/p", "headers": [],
                            "postData": {"mimeType": "text/plain", "text": f"n={i}"}},
                "response": {"status": 200}} for i in range(20)]
    entries[6]["_webSocketMessages"] = [{"type": "send", "opcode": 1, "data": "hello", "time": 1.0},
                                        {"type": "receive", "opcode": 1, "data": "x", "time": 1.1},
                                        {"type": "send", "opcode": 1, "data": '{"mood":"low"}', "time": 1.2}]
    p = tmp_path / "a:m.har"             # a file name holding ":m" as a message id does
    p.write_text(json.dumps(har(entries)), encoding="utf-8")
    every = [f.id for f in open_capture(p)]
    ids = {"a:m.har#7:m2", "a:m.har#3", "a:m.har#19"}
    assert ids <= set(every)
    assert _back(p, ids) == _full(p, ids) and len(_full(p, ids)) == 3
    calls = _counting(monkeypatch, har_mod, "entry_to_flows")
    _back(p, ids)
    assert calls[0] == 3


def test_mitmproxy_dump(tmp_path: Path) -> None:
    flows = [post_flow(host=f"h{i}.example", body=f'{{"i":{i}}}'.encode()) for i in range(5)]
    p = write_dump(tmp_path / "x.mitm", flows)
    ids = {flow_from_mitm(flows[1]).id, flow_from_mitm(flows[4]).id}
    assert len(_back(p, ids)) == 2 and _back(p, ids) == _full(p, ids)
