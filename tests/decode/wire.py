"""Hand encoding of the protobuf wire format for tests (no protobuf library, no schema)."""

from __future__ import annotations

import struct

from bench.quality.wire import varint


def vf(num: int, value: int) -> bytes:
    """A varint field."""
    return varint(num << 3) + varint(value)


def ld(num: int, payload: bytes | str) -> bytes:
    """A length-delimited field (string, bytes or nested message)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def f64(num: int, x: float) -> bytes:
    return varint(num << 3 | 1) + struct.pack("<d", x)


def f32(num: int, x: float) -> bytes:
    return varint(num << 3 | 5) + struct.pack("<f", x)
