"""Protocol Buffers without a schema: a walk over the wire format (varint, fixed64, length-delimited, fixed32).

Groups (wire types 3 and 4, deprecated) are refused: real SDK payloads do not use them and refusing them makes
random bytes much less likely to pass for a message. A buffer is a message only if the whole of it parses.
"""

from __future__ import annotations

import math
import struct
import time

from .limits import TIME_BUDGET, BudgetExceeded

MAX_FIELD_NUMBER = (1 << 29) - 1
SNIFF_FIELD_NUMBER = 1 << 16    # when not declared protobuf: real schemas stay far below this

_CHECK_EVERY = 4096


def read_varint(buf, i: int, n: int) -> tuple[int, int]:
    """(value, next index); value -1 when truncated or longer than 10 bytes."""
    result = 0
    shift = 0
    while i < n and shift < 70:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7
    return -1, i


def write_varint(n: int) -> bytes:
    """The one protobuf varint writer (simulator, tests and benchmarks): int64 negatives as ten bytes, two's
    complement, as protobuf does."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def parse_message(buf: memoryview, max_field: int = SNIFF_FIELD_NUMBER, keep: int = 1 << 30,
                  deadline: float = math.inf) -> tuple[list[tuple[int, int, object]], dict[int, int]] | None:
    """([(field number, wire type, value)], {field number: occurrences}) or None when `buf` is not a whole message.

    Values: int for varints, bytes (8 or 4) for fixed64/fixed32, a memoryview slice (no copy) for length-delimited.
    At most `keep` entries are kept (memory stays bounded on a huge message) but the whole buffer is still checked.
    """
    n = len(buf)
    if n == 0:
        return None
    entries: list[tuple[int, int, object]] = []
    counts: dict[int, int] = {}
    i = 0
    seen = 0
    while i < n:
        b = buf[i]
        if b < 0x80:
            tag = b
            i += 1
        else:
            tag, i = read_varint(buf, i, n)
            if tag < 0:
                return None
        num = tag >> 3
        wt = tag & 7
        if num == 0 or num > max_field:
            return None
        if wt == 0:
            v, i = read_varint(buf, i, n)
            if v < 0:
                return None
            value: object = v
        elif wt == 2:
            ln, i = read_varint(buf, i, n)
            if ln < 0 or i + ln > n:
                return None
            value = buf[i:i + ln]
            i += ln
        elif wt == 1:
            if i + 8 > n:
                return None
            value = bytes(buf[i:i + 8])
            i += 8
        elif wt == 5:
            if i + 4 > n:
                return None
            value = bytes(buf[i:i + 4])
            i += 4
        else:
            return None
        counts[num] = counts.get(num, 0) + 1
        seen += 1
        if seen <= keep:
            entries.append((num, wt, value))
        if seen % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise BudgetExceeded(TIME_BUDGET)
    return entries, counts


def packed_varints(buf: memoryview, limit: int) -> list[int] | None:
    """The values of a packed repeated varint field, or None when the bytes are not exactly that."""
    n = len(buf)
    out = []
    i = 0
    while i < n:
        v, i = read_varint(buf, i, n)
        if v < 0 or len(out) >= limit:
            return None
        out.append(v)
    return out


def varint_text(v: int) -> str:
    """Unsigned, except int64 negatives (sent as 10-byte varints) shown signed."""
    return str(v - (1 << 64) if v >= 1 << 63 else v)


def _plausible_float(x: float) -> bool:
    # Floats carried by SDKs (coordinates, durations, amounts) sit in this range; other bit patterns are integers.
    return x == 0.0 or (math.isfinite(x) and 1e-7 <= abs(x) <= 1e12)


def fixed64_text(b: bytes) -> str:
    (d,) = struct.unpack("<d", b)
    if _plausible_float(d) and d != 0.0:
        return repr(d)
    return str(struct.unpack("<q", b)[0])


def fixed32_text(b: bytes) -> str:
    (f,) = struct.unpack("<f", b)
    if _plausible_float(f) and f != 0.0:
        return repr(round(f, 7))
    return str(struct.unpack("<i", b)[0])
