"""Property tests: whatever the bytes or strings, decode_flow returns fields and never raises.
(bench/fuzz_decoders.py runs the same generators for 10,000+ cases.)"""

from __future__ import annotations

import base64
import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.decode import Limits, decode_flow
from analyzer.model import Field, Flow

from .wire import ld, vf

CONTENT_TYPES = st.sampled_from(["", "application/json", "application/x-www-form-urlencoded",
                                 "multipart/form-data; boundary=XyZ", "application/x-protobuf",
                                 "application/x-sentry-envelope", "text/plain", "application/octet-stream"])
ENCODINGS = st.sampled_from(["", "gzip", "deflate", "br", "zstd", "identity"])
SMALL = Limits(max_depth=12, max_decoded_bytes=256 * 1024, time_budget_s=2.0, max_fields=2000)


def check(d) -> None:
    assert all(isinstance(f, Field) and isinstance(f.location, str) and isinstance(f.value, str) for f in d.fields)
    assert len(d.fields) <= SMALL.max_fields
    assert set(d.bounds_hit) <= {"max_depth", "max_decoded_bytes", "time_budget", "max_fields", "opaque_payload"}


def protobufish() -> st.SearchStrategy[bytes]:
    leaf = st.one_of(st.builds(vf, st.integers(1, 40), st.integers(0, 2**64 - 1)),
                     st.builds(ld, st.integers(1, 40), st.binary(max_size=20)),
                     st.builds(ld, st.integers(1, 40), st.text(max_size=20)))
    return st.recursive(st.lists(leaf, max_size=5).map(b"".join),
                        lambda inner: st.builds(lambda n, m, rest: ld(n, m) + rest, st.integers(1, 40), inner,
                                                st.lists(leaf, max_size=3).map(b"".join)),
                        max_leaves=20)


def json_ish() -> st.SearchStrategy[str]:
    values = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=30),
                          lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                          max_leaves=25)
    return values.map(json.dumps)


def mutate(data: bytes, cut: int, flip: int) -> bytes:
    if not data:
        return data
    b = bytearray(data[: max(1, len(data) - cut % (len(data) + 1))])
    if b:
        b[flip % len(b)] ^= 0x5A
    return bytes(b)


BODIES = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(str.encode),
    json_ish().map(str.encode),
    json_ish().map(lambda j: gzip.compress(j.encode())),
    protobufish(),
    protobufish().map(gzip.compress),
    st.builds(mutate, protobufish().map(gzip.compress), st.integers(0, 50), st.integers(0, 10_000)),
    json_ish().map(lambda j: ("data=" + base64.b64encode(j.encode()).decode()).encode()),
    st.builds(lambda a, b: b"--XyZ\r\n" + a + b"\r\n\r\n" + b + b"\r\n--XyZ--", st.binary(max_size=60),
              st.binary(max_size=100)),
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES, ctype=CONTENT_TYPES, enc=ENCODINGS)
def test_any_body_never_raises(body, ctype, enc):
    flow = Flow(id="fz", host="x", method="POST", path="/", request_body=body,
                request_headers=[("Content-Type", ctype), ("Content-Encoding", enc)])
    check(decode_flow(flow, SMALL))


TEXT = st.one_of(st.text(max_size=80), json_ish(), protobufish().map(lambda b: base64.b64encode(b).decode()),
                 json_ish().map(lambda j: base64.urlsafe_b64encode(j.encode()).decode()),
                 st.from_regex(r"eyJ[A-Za-z0-9_-]{2,40}\.[A-Za-z0-9_-]{2,40}\.[A-Za-z0-9_-]{0,10}", fullmatch=True))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.text(max_size=60), query=st.text(max_size=120), value=TEXT,
       headers=st.lists(st.tuples(st.text(min_size=1, max_size=15), st.text(max_size=40)), max_size=4))
def test_any_url_headers_never_raise(path, query, value, headers):
    flow = Flow(id="fz", host="x", path=path, query=query,
                request_headers=headers + [("X-Value", value), ("Cookie", f"c={value}; d"),
                                           ("Authorization", f"Bearer {value}")])
    check(decode_flow(flow, SMALL))
