"""A binary file wrapper that cuts over-long JSON strings before a streaming parser sees them.

A HAR body (request or response text) is one JSON string that a parser builds whole: a 1 GB body costs gigabytes.
`json_stream` sends the rest of a file through this filter once an entry grows past its bound. Cutting every string
at `max_bytes` keeps the document valid JSON (the closing quote and escape sequences are kept whole) and the memory
bounded; the count of strings cut is reported. It scans with bytes.find/regex, but each escape costs a Python step,
which is why it is used only after an oversized entry.
"""

from __future__ import annotations

import re
from typing import IO

MAX_STRING = 32 * 1024 * 1024          # bytes of one JSON string kept (a body beyond this is cut)
_SPECIAL = re.compile(rb'["\\]')
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _partial_utf8(data: bytes, start: int) -> int:
    """How many bytes at the end of data[start:] are the beginning of a UTF-8 character cut by the chunk end."""
    for back in range(1, min(4, len(data) - start) + 1):
        b = data[-back]
        if b & 0xC0 == 0x80:                        # a continuation byte: look further back
            continue
        need = 2 if b & 0xE0 == 0xC0 else 3 if b & 0xF0 == 0xE0 else 4 if b & 0xF8 == 0xF0 else 1
        return back if need > back else 0
    return 0


class CappedStrings:
    """`read()` returns the file's bytes with every JSON string longer than `max_bytes` cut to about that length."""

    def __init__(self, fp: IO[bytes], max_bytes: int = MAX_STRING):
        self._fp = fp
        self.max_bytes = max_bytes
        self.truncated = 0              # strings cut so far
        self._in_str = False
        self._len = 0                   # bytes of the current string kept
        self._cut = False               # the current string is being dropped
        self._hex_left = 0              # hex digits still owed to a \\u escape kept
        self._carry = b""               # a backslash that ended the last chunk
        self.passthrough = False        # set: stop filtering once outside a string (the oversized part is over)

    def read(self, n: int = -1) -> bytes:
        if n == 0:                  # a probe for bytes vs text
            return b""
        if self.passthrough and not self._in_str and not self._carry:
            return self._fp.read(n if n and n > 0 else 1 << 20)
        while True:
            raw = self._fp.read(n if n and n > 0 else 1 << 20)
            if not raw:
                tail, self._carry = self._carry, b""
                return tail
            out = self._filter(self._carry + raw)
            if out:
                return out

    def _keep(self, seg: bytes, atomic: bool = False) -> bytes:
        """Part of `seg` (string content) to emit; `atomic` segments (an escape pair) are kept whole or dropped."""
        if self._cut:
            return b""
        if self._hex_left:                          # finish a \\u escape whatever the cap
            want = min(len(seg), self._hex_left)
            k = 0
            while k < want and seg[k] in _HEX:
                k += 1
            self._hex_left = 0 if k < want else self._hex_left - k     # malformed: the parser will say so
            head, seg = seg[:k], seg[k:]
            self._len += k
            if not seg:
                return head
            return head + self._keep(seg, atomic)
        room = self.max_bytes - self._len
        if len(seg) <= room:
            self._len += len(seg)
            return seg
        self._cut = True
        self.truncated += 1
        if atomic or room <= 0:
            return b""
        while room > 0 and (seg[room] & 0xC0) == 0x80:     # never cut a UTF-8 character in two
            room -= 1
        self._len += room
        return seg[:room]

    def _filter(self, data: bytes) -> bytes:
        self._carry = b""
        out = bytearray()
        i, n = 0, len(data)
        while i < n:
            if not self._in_str:
                j = data.find(b'"', i)
                if j < 0:
                    out += data[i:]
                    break
                out += data[i:j + 1]
                i = j + 1
                self._in_str, self._len, self._cut, self._hex_left = True, 0, False, 0
                continue
            m = _SPECIAL.search(data, i)
            if m is None:                           # the string goes on in the next chunk: hold back a cut character
                end = n - _partial_utf8(data, i)
                out += self._keep(data[i:end])
                self._carry = data[end:]
                break
            end = m.start()
            out += self._keep(data[i:end])
            i = end
            if data[i] == 0x5C:                     # backslash: the escape pair goes whole or not at all
                if i + 1 >= n:
                    self._carry = data[i:]
                    break
                pair = data[i:i + 2]
                kept = self._keep(pair, atomic=True)
                if kept and pair[1:] == b"u":
                    self._hex_left = 4
                out += kept
                i += 2
            else:                                   # the closing quote
                out += b'"'
                i += 1
                self._in_str = False
        return bytes(out)
