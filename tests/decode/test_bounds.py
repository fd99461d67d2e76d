"""Hostile input: bombs, deep nesting, huge bodies. Each must report its bound and stay small in memory."""

from __future__ import annotations

import base64
import gzip
import json
import tracemalloc
import zlib

import brotli

from analyzer.decode import DEFAULT_LIMITS, Limits, decode_flow
from analyzer.model import Flow

from .wire import ld, vf

MiB = 1024 * 1024
# The default bounds, with a time budget no loaded CI machine reaches: these tests check the other bounds.
LIMITS = Limits(time_budget_s=600)


def decode_measured(flow: Flow, limits: Limits = LIMITS):
    """decode_flow and the peak of memory it allocated (the input is allocated before measuring)."""
    tracemalloc.start()
    try:
        d = decode_flow(flow, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return d, peak


def gzip_bomb(gib: int) -> bytes:
    """A gzip stream that inflates to `gib` GiB of zeros, built without compressing them: after a full flush a
    deflate block does not depend on earlier data, so one compressed MiB can be repeated."""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = co.compress(b"\0" * MiB) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(b"\0" * MiB) + co.flush(zlib.Z_FULL_FLUSH)
    return first + again * (gib * 1024 - 1) + co.flush()


def test_gzip_bomb_10_gib_equivalent():
    bomb = gzip_bomb(10)
    assert len(bomb) < 12 * MiB
    flow = Flow(id="bomb", host="x", method="POST", path="/", request_body=bomb,
                request_headers=[("Content-Encoding", "gzip"), ("Content-Type", "application/json")])
    d, peak = decode_measured(flow)
    assert "max_decoded_bytes" in d.bounds_hit
    assert peak < 4 * DEFAULT_LIMITS.max_decoded_bytes + 16 * MiB
    # the capped output (zeros) is still shown, as one bounded leaf
    assert len(d.fields) == 1 and d.fields[0].location.startswith("body|gzip")
    assert len(d.fields[0].value) <= DEFAULT_LIMITS.max_value_chars + 1


def test_brotli_bomb():
    bomb = brotli.compress(b"\0" * (256 * MiB), quality=1)
    flow = Flow(id="br", host="x", method="POST", path="/", request_body=bomb,
                request_headers=[("Content-Encoding", "br")])
    d, peak = decode_measured(flow)
    assert "max_decoded_bytes" in d.bounds_hit
    assert peak < 4 * DEFAULT_LIMITS.max_decoded_bytes + 16 * MiB


def test_bomb_inside_base64_in_query():
    small = Limits(max_decoded_bytes=1 * MiB, time_budget_s=600)
    inner = base64.b64encode(gzip.compress(b"[" + b'"a",' * (2 * MiB) + b'"a"]')).decode()
    d = decode_flow(Flow(id="q", host="x", path="/", query=f"p={inner}"), small)
    assert "max_decoded_bytes" in d.bounds_hit


def test_json_nested_100000_deep_body_and_string():
    deep = "[" * 100_000 + "]" * 100_000
    d = decode_flow(Flow(id="deep", host="x", method="POST", path="/", request_body=deep.encode(),
                         request_headers=[("Content-Type", "application/json")]), LIMITS)
    assert "max_depth" in d.bounds_hit
    assert d.fields and d.fields[0].location == "body"
    # the same as a JSON string inside a form field, and inside base64
    b64 = base64.b64encode(deep.encode()).decode()
    d2 = decode_flow(Flow(id="deep2", host="x", method="POST", path="/", query=f"b={b64}",
                          request_body=f"a={deep}".encode(),
                          request_headers=[("Content-Type", "application/x-www-form-urlencoded")]), LIMITS)
    assert "max_depth" in d2.bounds_hit


def test_json_deeper_than_max_depth_but_parseable():
    obj: object = {"leaf": "x"}
    for _ in range(200):
        obj = {"k": obj}
    d = decode_flow(Flow(id="d", host="x", method="POST", path="/", request_body=json.dumps(obj).encode()), LIMITS)
    assert d.bounds_hit == ["max_depth"]
    assert len(d.fields) == 1
    assert d.fields[0].location.startswith("body.json.k.k.k")
    assert d.fields[0].value.startswith('{"k": {"k"')   # the cut subtree is kept as an excerpt


def test_recursive_protobuf():
    msg = vf(1, 1)
    for _ in range(10_000):
        msg = ld(1, msg)
    d, peak = decode_measured(Flow(id="pb", host="x", method="POST", path="/", request_body=msg,
                                   request_headers=[("Content-Type", "application/x-protobuf")]))
    assert "max_depth" in d.bounds_hit
    assert d.fields and d.fields[0].location.startswith("body.protobuf.1.1.1.1")
    assert peak < 16 * MiB


def test_huge_body_200_mib():
    body = b'{"a": "' + b"x" * (200 * MiB) + b'"}'
    d, peak = decode_measured(Flow(id="big", host="x", method="POST", path="/", request_body=body,
                                   request_headers=[("Content-Type", "application/json")]))
    assert "max_decoded_bytes" in d.bounds_hit
    assert d.fields                              # what was examined is still reported
    assert peak < 5 * DEFAULT_LIMITS.max_decoded_bytes


def test_max_fields():
    body = json.dumps({f"k{i}": i for i in range(1000)}).encode()
    d = decode_flow(Flow(id="mf", host="x", method="POST", path="/", request_body=body),
                    Limits(max_fields=50, time_budget_s=600))
    assert d.bounds_hit == ["max_fields"]
    assert len(d.fields) == 50
    assert d.fields[0].location == "body.json.k0"


def test_max_fields_huge_protobuf_keeps_memory_bounded():
    body = vf(1, 1) * 200_000
    d, peak = decode_measured(Flow(id="mp", host="x", method="POST", path="/", request_body=body,
                                   request_headers=[("Content-Type", "application/x-protobuf")]),
                              Limits(max_fields=1000, time_budget_s=60))
    assert "max_fields" in d.bounds_hit
    assert len(d.fields) == 1000
    assert peak < 4 * MiB


def test_protobuf_of_16_mib_tiny_fields_stops_on_a_bound():
    body = vf(1, 1) * (8 * MiB)
    d = decode_flow(Flow(id="mp", host="x", method="POST", path="/", request_body=body,
                         request_headers=[("Content-Type", "application/x-protobuf")]))
    assert set(d.bounds_hit) & {"time_budget", "max_fields"}
    assert len(d.fields) <= DEFAULT_LIMITS.max_fields


def test_time_budget_reported():
    body = json.dumps([{"a": i} for i in range(5000)]).encode()
    d = decode_flow(Flow(id="t", host="x", method="POST", path="/", request_body=body), Limits(time_budget_s=0.0))
    assert "time_budget" in d.bounds_hit
    assert len(d.fields) < 5000


def test_max_value_chars():
    d = decode_flow(Flow(id="v", host="x", path="/", query="a=" + "y" * 1000), Limits(max_value_chars=100))
    assert d.fields[0].value == "y" * 100 + "…"
