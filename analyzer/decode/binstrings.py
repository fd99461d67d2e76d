"""Last resort for binary bodies no decoder reads (Java DataOutput/writeUTF, Thrift, MessagePack, custom framing):
the strings inside, so ids, e-mail addresses and event names in them are still searched.

Such formats put a length before each string: one byte (u8, a varint below 128), two (u16-BE, `writeUTF`) or
four (Thrift's i32-BE). A printable run is split where that length says the string ends, and a length byte that
happens to be printable is not glued to its string. UTF-16LE runs (Java `writeChars`, Windows SDKs) are read too.
"""

from __future__ import annotations

import math
import re
from collections import Counter

MIN_CHARS = 4
MAX_STRINGS = 512
_RUN = re.compile(rb"[\x20-\x7e]{%d,}" % MIN_CHARS)
_UTF16 = re.compile(rb"(?:[\x20-\x7e]\x00){%d,}" % MIN_CHARS)
OPAQUE_BITS = 7.2            # bits per byte above which a body reads as compressed or encrypted
OPAQUE_MIN_BYTES = 64


def _split(run: bytes, before: int | None, out: list[str], limit: int) -> None:
    """Cut one printable run into the strings its length prefixes delimit. `before`: the byte before the run
    (the low byte of its length when it is not printable), None at the start of the buffer."""
    # the first byte of the run is itself a length when the byte before is a length's high byte (0) or nothing
    inner = before is None or before == 0
    while run and len(out) < limit:
        if before is not None and before != 0 and MIN_CHARS <= before < len(run):
            out.append(run[:before].decode("ascii"))        # the length before the run ends the string early
            run, before, inner = run[before:], None, True
            continue
        c = run[0]
        if (inner and MIN_CHARS <= c <= len(run) - 1) or (MIN_CHARS <= c == len(run) - 1):
            out.append(run[1:1 + c].decode("ascii"))        # a printable length byte, then its string
            run, before = run[1 + c:], None
            continue
        if len(run) >= MIN_CHARS:
            out.append(run.decode("ascii"))
        return


def strings(data: bytes, limit: int = MAX_STRINGS) -> list[str]:
    """Printable strings of a binary buffer, in order, each at most once (the first time)."""
    found: list[str] = []
    for m in _RUN.finditer(data):
        if len(found) >= limit:
            break
        start = m.start()
        _split(m.group(), data[start - 1] if start else None, found, limit)
    for m in _UTF16.finditer(data):
        if len(found) >= limit:
            break
        found.append(m.group().decode("utf-16-le"))
    seen: set[str] = set()
    out = []
    for s in found:
        if len(s) >= MIN_CHARS and s not in seen:
            seen.add(s)
            out.append(s)
    return out


def entropy(data: bytes) -> float:
    """Shannon entropy in bits per byte (of the first 64 KB)."""
    data = data[:65536]
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())


def opaque(data: bytes, found: list[str]) -> bool:
    """A body that reads as encrypted or compressed with an unknown scheme: near-random bytes, hardly any text."""
    if len(data) < OPAQUE_MIN_BYTES:
        return False
    text = sum(len(s) for s in found)
    return text * 10 < len(data) and entropy(data) >= min(OPAQUE_BITS, math.log2(len(data)) - 0.5)
