"""The single-encoding modules, on their edge cases."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from urllib.parse import quote, unquote_plus
from urllib.parse import unquote as unquote_stdlib

import brotli
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.decode import b64, compression, json_body, multipart, protobuf, query
from analyzer.decode import Limits, decode_flow
from analyzer.decode.headers import cookies, informative_headers
from analyzer.decode.jwt_token import jwt_claims
from analyzer.model import Flow

from .wire import f32, ld, vf

# Default bounds but a time budget that no loaded machine reaches: results must not depend on speed.
UNTIMED = Limits(time_budget_s=600)


def decode(flow: Flow):
    return decode_flow(flow, UNTIMED)


def test_truncated_gzip_keeps_what_came_out():
    text = " ".join(str(i) for i in range(5000)).encode()
    data = gzip.compress(text)
    out, capped = compression.decompress("gzip", data[: len(data) // 2], 1 << 20)
    assert out and 1000 < len(out) < len(text) and text.startswith(out) and not capped


def test_corrupt_compressed_is_none():
    assert compression.decompress("gzip", b"\x1f\x8b\x08garbage", 1000) == (None, False)
    assert compression.decompress("br", b"\xff\xff\xff\xff", 1000) == (None, False)


def test_sniff_needs_magic_or_hint():
    assert compression.sniff(zlib.compress(b"x")) == "deflate"
    assert compression.sniff(brotli.compress(b"x")) is None
    assert compression.sniff(brotli.compress(b"x"), "br") == "br"
    assert compression.sniff(b'{"a":1}') is None


def test_brotli_inside_base64_is_guessed_only_when_result_is_accepted():
    s = base64.b64encode(brotli.compress(json.dumps({"weight_kg": 61.5}).encode())).decode()
    d = decode(Flow(id="b", host="x", path="/", query=f"p={s}"))
    assert [(f.location, f.value) for f in d.fields] == [("query.p|base64|br|json.weight_kg", "61.5")]


def test_base64_rules():
    assert b64.looks_base64(base64.b64encode(b"some text here!!").decode())
    assert not b64.looks_base64("c2hvcnQ=")                      # too short (< 16)
    assert not b64.looks_base64("d41d8cd98f00b204e9800998ecf8427e")
    assert not b64.looks_base64("60e5d787-7b10-4341-8289-a784280e7f1f")
    assert b64.b64decode("aGVsbG8gd29ybGQ") == b"hello world"     # padding optional
    assert b64.b64decode("-_-_") == b"\xfb\xff\xbf"               # url-safe alphabet
    assert b64.b64decode("not base64!") is None


def test_base64_random_bytes_are_not_decoded():
    s = base64.b64encode(bytes(range(200, 232))).decode()
    d = decode(Flow(id="r", host="x", path="/", query=f"sig={quote(s)}"))
    assert [(f.location, f.value) for f in d.fields] == [("query.sig", s)]


def test_jwt_claims():
    assert jwt_claims("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") == {"sub": "x"}
    assert jwt_claims("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig") == {"sub": "x"}
    assert jwt_claims("eyJhbGciOiJub25lIn0.WzFd.sig") is None    # payload not an object
    assert jwt_claims("a.b.c") is None


def test_multipart_boundary_sniffed_without_content_type_and_binary_part():
    body = (b'--zz\r\nContent-Disposition: form-data; name="img"; filename="a.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\xfe\r\n"
            b'--zz\nContent-Disposition: form-data; name="note"\n\nline1\nline2\n--zz--\n')
    parts = multipart.parse_multipart(body, "", 100)
    assert [(p.name, p.data, p.filename, p.content_type) for p in parts] == [
        ("img", b"\x00\x01\xfe", "a.bin", "application/octet-stream"), ("note", b"line1\nline2", None, "")]
    d = decode(Flow(id="m", host="x", method="POST", path="/", request_body=body))
    assert {f.location: f.value for f in d.fields} == {"body.multipart.img": "0001fe",
                                                       "body.multipart.note": "line1\nline2"}


def test_json_body_helpers():
    assert json_body.loads_container("[" * 100_000 + "]" * 100_000)[1] == json_body.TOO_DEEP
    assert json_body.loads_container('"just a string"')[1] == json_body.INVALID
    assert json_body.split_items(b'{"a":1}', 10) is None               # one line is not NDJSON
    assert json_body.split_items(b"not json\n{}", 10) is None


def test_protobuf_parse_rules():
    assert protobuf.parse_message(memoryview(vf(1, 150)))[0] == [(1, 0, 150)]
    assert protobuf.parse_message(memoryview(b"\x0b\x0c")) is None          # groups refused
    assert protobuf.parse_message(memoryview(b"\x0a\x05abc")) is None       # length past the end
    assert protobuf.parse_message(memoryview(b"\x00\x01")) is None          # field number 0
    assert protobuf.parse_message(memoryview(b"\x08\xff\xff")) is None      # truncated varint
    entries, counts = protobuf.parse_message(memoryview(vf(2, 1) * 5), keep=2)
    assert len(entries) == 2 and counts == {2: 5}
    assert protobuf.varint_text((1 << 64) - 1) == "-1"
    assert protobuf.fixed32_text(f32(1, 1.5)[1:]) == "1.5"
    assert protobuf.fixed32_text((7).to_bytes(4, "little")) == "7"


def test_protobuf_message_that_looks_like_text():
    # {1: 40 printable chars} is "\n(" + text: the leading field-1 tag makes it a message, not a string
    inner = ld(1, "x" * 40)
    d = decode(Flow(id="p", host="x", method="POST", path="/", request_body=ld(3, inner) + vf(4, 1)))
    m = {f.location: f.value for f in d.fields}
    assert m == {"body.protobuf.3.1": "x" * 40, "body.protobuf.4": "1"}


def test_headers_and_cookies():
    hs = [("Host", "a"), ("User-Agent", "ua"), ("X-Custom", "1"), ("Cookie", 'a=1; b="q"; ;c'),
          (":authority", "a"), ("Accept-Encoding", "gzip")]
    assert informative_headers(hs) == [("user-agent", "ua"), ("x-custom", "1")]
    assert cookies(hs) == [("a", "1"), ("b", "q"), ("c", "")]
    d = decode(Flow(id="c", host="x", request_headers=[("Cookie", "prefs=%7B%22email%22%3A%22jane%40example.org%22%7D")]))
    assert [(f.location, f.value) for f in d.fields] == [("cookie.prefs.email", "jane@example.org")]


def test_form_needs_form_shape_unless_declared():
    d = decode(Flow(id="t", host="x", method="POST", path="/", request_body=b"just some words = here"))
    assert [(f.location, f.value) for f in d.fields] == [("body", "just some words = here")]
    d2 = decode(Flow(id="t", host="x", method="POST", path="/", request_body=b"a=1&b=two"))
    assert [(f.location, f.value) for f in d2.fields] == [("body.form.a", "1"), ("body.form.b", "two")]


def test_whole_body_base64_json():
    body = base64.b64encode(json.dumps({"email": "jane@example.org"}).encode())
    d = decode(Flow(id="w", host="x", method="POST", path="/", request_body=body,
                         request_headers=[("Content-Type", "text/plain")]))
    assert [(f.location, f.value) for f in d.fields] == [("body|base64|json.email", "jane@example.org")]


def test_random_tokens_are_rarely_mistaken_for_encoded_data():
    import random
    r = random.Random(5)
    tokens = [base64.urlsafe_b64encode(r.randbytes(r.randint(12, 48))).decode().rstrip("=") for _ in range(2000)]
    decoded = [t for t in tokens
               if [f.location for f in decode(Flow(id="t", host="x", path="/", query=f"t={t}")).fields] != ["query.t"]]
    assert len(decoded) <= 2, decoded


def test_declared_text_body_with_a_bad_byte_and_bom():
    body = '\ufeff{"city": "Orl\xe9ans", "note": "x"}'.encode("utf-8").replace(b"\xc3\xa9", b"\xe9")
    d = decode(Flow(id="t", host="x", method="POST", path="/", request_body=body,
                    request_headers=[("Content-Type", "application/json; charset=utf-8")]))
    assert {f.location: f.value for f in d.fields} == {"body.json.city": "Orl\ufffdans", "body.json.note": "x"}


# Percent-escapes, plus signs, backslashes, "\x" look-alikes, broken escapes and non-ASCII around them.
_URLISH = st.lists(st.sampled_from(list("%+\\xaF09zé€ &=") + ["%C3", "%A9", "%e2%82%ac", "%2", "%ZZ", "\\x41",
                                                                 "\ud800"]), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_URLISH, st.booleans())
def test_unquote_gives_what_urllib_gives(text, plus):
    """query.unquote is a C-speed rewrite of urllib's unquote/unquote_plus: same result on any input."""
    expected = unquote_plus(text, errors="replace") if plus else unquote_stdlib(text, errors="replace")
    assert query.unquote(text, plus=plus) == expected


def test_unquote_of_a_url_encoded_json_body():
    body = json.dumps({"event_type": "règles", "props": {"mood": "sad & tired", "n": [1, 2]}})
    assert query.unquote(quote(body)) == body
    assert query.parse_pairs("e=" + quote(body) + "&v=2", 10) == [("e", body), ("v", "2")]
