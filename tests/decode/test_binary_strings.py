"""Binary bodies no decoder reads: the strings inside are mined (decode.binstrings), in the framings real SDKs
use, and found by the detector; near-random bodies are named as opaque payloads."""

import hashlib
import os
import struct
import uuid

from analyzer.decode import decode_flow
from analyzer.decode.binstrings import strings
from analyzer.detect import Detector, Persona

from .wire import ld
from ..detect.wire import request

AAID = "60e5d787-7b10-4341-8289-a784280e7f1f"
ANDROID_ID = "4a79a66068c3ccf9"


def write_utf(s: str) -> bytes:
    """java.io.DataOutputStream.writeUTF: u16-BE length, then (modified) UTF-8."""
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def thrift_string(field_id: int, s: str) -> bytes:
    """Thrift binary protocol: type 11 (string), i16 field id, i32-BE length, bytes."""
    b = s.encode()
    return struct.pack(">bhi", 11, field_id, len(b)) + b


def msgpack_str(s: str) -> bytes:
    b = s.encode()
    return (bytes([0xA0 | len(b)]) if len(b) < 32 else bytes([0xD9, len(b)])) + b


def java_body() -> bytes:
    # a custom SDK's DataOutputStream record: version int, then writeUTF fields and a long timestamp
    return struct.pack(">i", 3) + write_utf(ANDROID_ID) + write_utf("symptom_logged") + struct.pack(">q", 1700000000000) \
        + write_utf("jane.doe@example.org") + write_utf(AAID)


def test_java_writeutf_strings_split_on_their_lengths():
    assert strings(java_body()) == [ANDROID_ID, "symptom_logged", "jane.doe@example.org", AAID]


def test_thrift_and_msgpack_strings():
    thrift = b"\x80\x01\x00\x01" + struct.pack(">i", 5) + b"track" + struct.pack(">i", 0) \
        + thrift_string(1, AAID) + thrift_string(2, "mood_tracked") + b"\x00"
    assert strings(thrift) == ["track", AAID, "mood_tracked"]
    mp = b"\x82" + msgpack_str("event") + msgpack_str("period_start") + msgpack_str("aaid") + msgpack_str(AAID)
    assert strings(mp) == ["event", "period_start", "aaid", AAID]


def test_utf16_strings():
    assert "jane.doe@example.org" in strings(b"\x01\x00" + "jane.doe@example.org".encode("utf-16-le") + b"\xff\xfe")


def test_binary_body_mined_and_detected():
    flow = request("https://collect.example-sdk.io/v2/b", java_body(), "application/octet-stream")
    d = decode_flow(flow)
    mined = {f.value: f.location for f in d.fields if "|strings[" in f.location}
    assert mined["symptom_logged"].startswith("body|strings[")
    dets = Detector().detect(flow, d.fields)
    got = {(x.data_type, x.details) for x in dets}
    assert ("health_fitness.health", "symptom") in got
    assert ("personal_info.email", "email") in got


def test_raw_uuid_bytes_and_glued_ids_are_known_values():
    persona = Persona(advertising_id=AAID, android_id=ANDROID_ID)
    # the AAID as its 16 raw bytes inside a binary record (no text form anywhere)
    body = b"\x07\x01" + uuid.UUID(AAID).bytes + os.urandom(8) + b"\x00\x02\xff"
    flow = request("https://collect.example-sdk.io/v2/b", body * 3, "application/octet-stream")
    dets = Detector(persona).detect(flow, decode_flow(flow).fields)
    assert {(x.details, x.method) for x in dets if x.data_type == "device_ids"} == {("advertising_id", "known_value")}
    # an id glued to a prefix, and a digest of the e-mail inside a list in a form value
    email_hash = hashlib.sha256(b"jane.doe@example.org").hexdigest()
    persona = Persona(android_id=ANDROID_ID, email="jane.doe@example.org")
    flow = request(f"https://t.example-ads.com/p?u=AND{ANDROID_ID}&m=%5B{email_hash}%5D", method="GET")
    found = {(x.location, x.details) for x in Detector(persona).detect(flow, decode_flow(flow).fields)
             if x.method == "known_value"}
    assert ("query.u", "android_id") in found
    assert ("query.m", "email_sha256") in found


def test_short_words_are_not_found_glued():
    persona = Persona(name="Ana Li", custom={"code": "nausea"})
    flow = request("https://t.example-ads.com/p?u=bananalimousine&c=antinauseapill", method="GET")
    assert not [x for x in Detector(persona).detect(flow, decode_flow(flow).fields) if x.method == "known_value"]


def test_opaque_body_is_named_and_text_is_not():
    enc = request("https://collect.example-sdk.io/v2/e", os.urandom(2048), "application/octet-stream")
    assert "opaque_payload" in decode_flow(enc).bounds_hit
    assert "opaque_payload" not in decode_flow(request("https://x.example/b", java_body() * 20,
                                                       "application/octet-stream")).bounds_hit


def test_protobuf_bodies_are_not_mined():
    body = ld(1, ld(2, "mood_tracked") + ld(3, AAID))
    d = decode_flow(request("https://x.example/p", body, "application/x-protobuf"))
    assert not [f for f in d.fields if "|strings[" in f.location]
