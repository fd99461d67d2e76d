"""The items of one array deep inside a huge JSON document (a HAR's `log.entries`), one at a time, at C speed.

Each item is parsed by the json module's C scanner straight from a text buffer (`raw_decode`), so a document costs
what `json.loads` costs, with memory held to one item plus a read chunk. Python only walks the few keys around the
array. When an item does not parse, a bracket scanner (regex runs between brackets, a depth counter: no recursion,
no memory) finds where it ends, so the item is skipped and counted and the next one read:

- invalid UTF-8 bytes in the file are kept as surrogate escapes (`surrogateescape`), and JSON `\\udcXX` escapes
  (mitmproxy writes a non-UTF-8 body that way) decode to lone surrogates: both are text to recover, not errors;
- an item nested deeper than the interpreter's recursion limit raises RecursionError in the C scanner: skipped;
- an item longer than `MAX_ITEM_CHARS` is read again through `CappedStrings` (strings over 32 MiB are cut, counted),
  which steps aside once that item is over; an item still longer than `MAX_CAPPED_ITEM_CHARS` is skipped while it
  is scanned.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

from .capped_json import CappedStrings

T = TypeVar("T")
CHUNK = 256 << 10
MAX_ITEM_CHARS = 32 << 20           # an item longer than this is read again through capped strings
MAX_CAPPED_ITEM_CHARS = 128 << 20   # ...and one still longer than this is skipped
# a run of anything but brackets, commas and unfinished strings (possessive: no backtracking)
_RUN = re.compile(r'(?:[^"{}\[\],]++|"(?:[^"\\]++|\\.)*+")*+', re.S)
_WS = re.compile(r"[ \t\r\n]*")
DECODER = json.JSONDecoder(strict=False)       # exporters leave raw control characters in strings


class Truncated(Exception):
    """The document ends (or breaks) before the structure around the array is complete."""


class _Chain:
    """read() from `head` bytes, then from `fp`."""

    def __init__(self, head: bytes, fp: Any):
        self._head, self._fp = head, fp

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._fp.read(n)


class JsonStream:
    def __init__(self, fp: IO[bytes], keep: tuple[str, ...] = ()):
        self.keep = keep                # keys whose values are parsed and kept on the way to the array
        self.kept: dict[str, Any] = {}
        self._src: Any = fp
        self._dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.capped: CappedStrings | None = None
        self.span: tuple[int, int] | None = None      # where in `buf` the last value read at C speed lies
        self._cut_before = 0            # strings cut by earlier CappedStrings layers

    # -- buffer ----------------------------------------------------------------------------------------------------
    def _load(self, keep: int, want: int = CHUNK) -> int:
        """Read more text, dropping the buffer before `keep`; returns how far positions moved (0 at end of file
        when nothing came)."""
        if self.eof:
            return 0
        data = self._src.read(max(CHUNK, want))
        if not data:
            self.eof = True
        text = self._dec.decode(data, final=not data)
        self.buf = self.buf[keep:] + text
        self.pos -= keep
        return keep

    def _cap(self, start: int) -> None:
        """From `start` on, read the rest of the file through CappedStrings."""
        pending = self._dec.getstate()[0]
        head = self.buf[start:].encode("utf-8", "surrogateescape") + pending
        if self.capped is not None:
            self._cut_before += self.capped.truncated
        self.capped = CappedStrings(_Chain(head, self._src))
        self._src = self.capped
        self._dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf, self.pos, self.eof = "", 0, False
        self._load(0)

    @property
    def strings_cut(self) -> int:
        return self._cut_before + (self.capped.truncated if self.capped is not None else 0)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), with pos on it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                return ""
            self._load(self.pos)

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise Truncated(f"expected {chars!r}" + (" at the end of the file" if not c else f", found {c!r}"))
        self.pos += 1
        return c

    # -- values ----------------------------------------------------------------------------------------------------
    def value(self) -> tuple[Any, str | None]:
        """(the JSON value at pos, None), or (None, reason) when it cannot be read; pos moves past it either way.
        Raises Truncated when the file ends inside it."""
        self.peek()
        start = self.pos
        try:
            obj, end = DECODER.raw_decode(self.buf, start)
            if end < len(self.buf) or self.eof:
                self.pos = end
                self.span = (start, end)
                return obj, None
        except (ValueError, RecursionError):
            pass
        self.span = None
        start, end, whole = self._extent(start)
        self.pos = end
        if self.capped is not None:
            self.capped.passthrough = True      # the oversized item is over: the filter's C-speed bypass
        if not whole:
            return None, "har_entry_too_large"
        try:
            obj, stop = DECODER.raw_decode(self.buf[:end], start)
        except RecursionError:
            return None, "har_entry_too_deep"
        except ValueError:
            return None, "bad_har_entry"
        if stop != end:
            return None, "bad_har_entry"
        self.span = (start, end)
        return obj, None

    def skip(self) -> None:
        """Step over the value at pos without building it (any depth, any size)."""
        self.peek()
        self.pos = self._extent(self.pos, keep_all=False)[1]

    def _extent(self, start: int, keep_all: bool = True) -> tuple[int, int, bool]:
        """(start, end, whole) of the value at `start`, reading more as needed; `whole` is False when the buffer no
        longer holds all of it (skipping, or too large). `keep_all=False` drops what was scanned as it goes."""
        i, depth = start, 0
        while True:
            buf = self.buf
            n = len(buf)
            while True:
                i = _RUN.match(buf, i).end()
                if i >= n or buf[i] == '"':         # the end of the buffer, or a string that goes on
                    break
                c = buf[i]
                if c == ",":
                    if depth == 0:
                        return start, i, keep_all
                elif c == "{" or c == "[":
                    depth += 1
                elif depth == 0:                    # the container around the value closes
                    return start, i, keep_all
                else:
                    depth -= 1
                    if depth == 0:
                        return start, i + 1, keep_all
                i += 1
            if self.eof:
                raise Truncated("the file ends inside a value")
            keep = start if keep_all else i
            if n - keep > MAX_ITEM_CHARS and (self.capped is None or self.capped.passthrough):
                self._cap(keep)                     # from here on, long strings are cut
                if keep_all:
                    i, depth, start = 0, 0, 0       # scan this value again, as the capped stream gives it
                else:
                    i = 0
                continue
            if keep_all and n - start > MAX_CAPPED_ITEM_CHARS:
                keep_all, keep = False, i           # too large even so: step over the rest of it
            shift = self._load(keep, want=n - keep)
            start, i = start - shift, i - shift

    def key(self) -> str:
        """An object key and its colon."""
        if self.peek() != '"':
            raise Truncated("expected a key")
        k, reason = self.value()
        if reason or not isinstance(k, str):
            raise Truncated("bad key")
        self.expect(":")
        return k

    def members(self) -> Iterator[str]:
        """Keys of the object at pos, each with pos on its value (the caller reads or skips it)."""
        return self._elements("{", "}", self.key)

    def array(self, path: tuple[str, ...]) -> Iterator[tuple[Any, str | None]]:
        """Items of the array at `path` (object keys from the top); every other value is stepped over unparsed.
        Raises Truncated when the document breaks before the array is done."""
        if self.peek() == "\ufeff":
            self.pos += 1
        yield from _descend(self, path)

    def items(self) -> Iterator[tuple[Any, str | None]]:
        """(item, None) or (None, reason) for each item of the array at pos."""
        return self._elements("[", "]", self.value)

    def _elements(self, opener: str, closer: str, read: Callable[[], T]) -> Iterator[T]:
        """What `read` gives for each element of the container at pos, separators and brackets checked."""
        self.expect(opener)
        if self.peek() == closer:
            self.pos += 1
            return
        while True:
            yield read()
            if self.expect("," + closer) == closer:
                return

    def last_text(self) -> str | None:
        """The JSON text of the value `value()` just returned, when it was read at C speed (else None): a worker
        process parses it again for less than the parsed value costs to send."""
        return self.buf[self.span[0]:self.span[1]] if self.span is not None else None


def _descend(s: JsonStream, path: tuple[str, ...]) -> Iterator[tuple[Any, str | None]]:
    for k in s.members():
        if k == path[0]:
            if len(path) == 1:
                yield from s.items()
            else:
                yield from _descend(s, path[1:])
            return                      # what follows the array is not needed
        if k in s.keep:                 # small values the caller wants (a HAR's creator)
            v, reason = s.value()
            if reason is None:
                s.kept[k] = v
        else:
            s.skip()
    raise Truncated(f"no {'.'.join(path)}")
