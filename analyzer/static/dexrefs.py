"""Which classes of a dex file use a given string: `const-string` instructions in their methods' code and the
initial values of their static fields.

Decoding every method of every class would cost more than the whole scan, so the search runs the other way:
the code and encoded-array sections are searched (in C, by `re`) for the bytes a reference to one of the
wanted strings would have, and only those few places are checked: the method whose code holds the place is
found from the class_data tables, and its instructions are walked from the start to prove the place is an
instruction boundary (an operand that happens to hold the same bytes is not a reference).
Format: https://source.android.com/docs/core/runtime/dex-format
"""

from __future__ import annotations

import re
from bisect import bisect_right

TYPE_CODE_ITEM = 0x2001
TYPE_ENCODED_ARRAY_ITEM = 0x2005
MAX_OWNERS = 8            # classes kept per string (a string used everywhere names no one class)

# opcode -> instruction width in 16-bit units (Dalvik formats); payload pseudo-instructions are sized apart
_WIDTH = bytearray([1] * 256)
for _w, _spans in {2: ((0x02, 0x02), (0x05, 0x05), (0x08, 0x08), (0x13, 0x13), (0x15, 0x16), (0x19, 0x1A),
                        (0x1C, 0x1C), (0x1F, 0x20), (0x22, 0x23), (0x29, 0x29), (0x2D, 0x3D), (0x44, 0x6D),
                        (0x90, 0xAF), (0xD0, 0xE2), (0xFE, 0xFF)),
                   3: ((0x03, 0x03), (0x06, 0x06), (0x09, 0x09), (0x14, 0x14), (0x17, 0x17), (0x1B, 0x1B),
                       (0x24, 0x26), (0x2A, 0x2C), (0x6E, 0x72), (0x74, 0x78), (0xFC, 0xFD)),
                   4: ((0xFA, 0xFB),), 5: ((0x18, 0x18),)}.items():
    for _a, _b in _spans:
        _WIDTH[_a:_b + 1] = bytes([_w]) * (_b - _a + 1)
WIDTH = bytes(_WIDTH)



def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    b = data[pos]
    if b < 0x80:
        return b, pos + 1
    result, shift = b & 0x7F, 7
    while True:
        pos += 1
        b = data[pos]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos + 1
        shift += 7
        if shift > 28:
            raise ValueError("uleb128 too long")


def _section(sections: list[tuple[int, int]], kind: int, size: int) -> tuple[int, int] | None:
    """(start, end) of a map-list section: it ends where the next section starts."""
    for i, (t, off) in enumerate(sections):
        if t == kind:
            return off, (sections[i + 1][1] if i + 1 < len(sections) else size)
    return None


def _method_code(data: bytes, class_data_off: int, first_only: bool = False) -> list[int]:
    """Code offsets of the methods of one class_data_item (only the first one when `first_only`)."""
    n = len(data)
    sf, pos = _uleb(data, class_data_off)
    inf, pos = _uleb(data, pos)
    dm, pos = _uleb(data, pos)
    vm, pos = _uleb(data, pos)
    if 2 * (sf + inf) + 3 * (dm + vm) > n - pos:
        raise ValueError("class_data larger than the file")
    for _ in range(2 * (sf + inf)):
        _, pos = _uleb(data, pos)
    out = []
    for _ in range(dm + vm):
        _, pos = _uleb(data, pos)
        _, pos = _uleb(data, pos)
        code, pos = _uleb(data, pos)
        if code:
            out.append(code)
            if first_only:
                break
    return out


class _CodeOwners:
    """The class whose method code holds a place. Dex writers lay code items out in class_def order, so a
    bisection over the classes' first code offsets finds it after a few class_data reads; each answer is
    proved by walking the method's instructions, and if the layout is not in order after all, every
    class_data is read once (always right, slower)."""

    def __init__(self, data: bytes, class_defs: list[tuple[int, int]]):
        self.data, self.defs = data, class_defs
        self.first: dict[int, int | None] = {}
        self.all: tuple[list[int], list[int]] | None = None

    def _first(self, cls: int) -> int | None:
        if cls not in self.first:
            off = self.defs[cls][0]
            codes = _method_code(self.data, off, first_only=True) if off else []
            self.first[cls] = codes[0] if codes else None
        return self.first[cls]

    def _guess(self, place: int) -> int | None:
        lo, hi = 0, len(self.defs)          # invariant: the answer is in [lo, hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            j = mid
            while j < hi and self._first(j) is None:
                j += 1
            if j < hi and self._first(j) <= place:     # type: ignore[operator]
                lo = j
            else:
                hi = mid
        return lo if self._first(lo) is not None and self._first(lo) <= place else None   # type: ignore[operator]

    def owner(self, place: int) -> int | None:
        if self.all is None:
            cls = self._guess(place)
            if cls is not None:
                codes = [c for c in _method_code(self.data, self.defs[cls][0]) if c <= place]
                if codes and _is_instruction(self.data, max(codes), place):
                    return cls
            starts = sorted((c, k) for k, (off, _) in enumerate(self.defs) if off for c in _method_code(self.data, off))
            self.all = ([c for c, _ in starts], [k for _, k in starts])
        offsets, owners = self.all
        i = bisect_right(offsets, place) - 1
        return owners[i] if i >= 0 and _is_instruction(self.data, offsets[i], place) else None


def _is_instruction(data: bytes, code_off: int, place: int) -> bool:
    """True when `place` starts an instruction of the code_item at code_off (walked from its first one)."""
    insns = int.from_bytes(data[code_off + 12:code_off + 16], "little")
    pos, end = code_off + 16, code_off + 16 + 2 * insns
    if not pos <= place < end or end > len(data):
        return False
    while pos < place:
        op = data[pos]
        if op == 0 and data[pos + 1] in (1, 2, 3):           # switch / array payloads
            kind, size = data[pos + 1], int.from_bytes(data[pos + 2:pos + 4], "little")
            if kind == 1:                                    # packed-switch: size, first key, targets
                units = 4 + 2 * size
            elif kind == 2:                                  # sparse-switch: size, keys, targets
                units = 2 + 4 * size
            else:                                            # fill-array-data: element width, count, data
                units = 4 + (size * int.from_bytes(data[pos + 4:pos + 8], "little") + 1) // 2
            pos += 2 * units
        else:
            pos += 2 * WIDTH[op]
    return pos == place


def _skip_value(data: bytes, pos: int) -> int:
    header = data[pos]
    kind, arg = header & 0x1F, header >> 5
    pos += 1
    if kind == 0x1C:                                         # array
        return _skip_array(data, pos)
    if kind == 0x1D:                                         # annotation
        _, pos = _uleb(data, pos)
        size, pos = _uleb(data, pos)
        for _ in range(size):
            _, pos = _uleb(data, pos)
            pos = _skip_value(data, pos)
        return pos
    if kind in (0x1E, 0x1F):                                 # null, boolean: no bytes
        return pos
    return pos + arg + 1


def _skip_array(data: bytes, pos: int) -> int:
    size, pos = _uleb(data, pos)
    if size > len(data) - pos:
        raise ValueError("encoded array larger than the file")
    for _ in range(size):
        pos = _skip_value(data, pos)
    return pos


def _is_static_value(data: bytes, array_off: int, place: int) -> bool:
    """True when `place` starts one of the values of the encoded_array_item at array_off."""
    size, pos = _uleb(data, array_off)
    if size > len(data) - pos:
        raise ValueError("encoded array larger than the file")
    for _ in range(size):
        if pos >= place:
            return pos == place
        pos = _skip_value(data, pos)
    return False


def string_owners(data: bytes, sections: list[tuple[int, int]], class_defs: list[tuple[int, int]],
                  wanted: set[int]) -> dict[int, list[int]]:
    """{string index: [class_def index, ...]} for the wanted strings a class uses.

    `sections` is the map list as (type, offset) sorted by offset; `class_defs` gives per class its
    (class_data_off, static_values_off). Raises ValueError / IndexError on corrupt tables."""
    owners: dict[int, list[int]] = {}
    if not wanted:
        return owners

    def own(idx: int, cls: int) -> None:
        got = owners.setdefault(idx, [])
        if cls not in got and len(got) < MAX_OWNERS:
            got.append(cls)

    # sorted strings cluster (all the "https://..." are neighbours): few high bytes of an index are wanted
    highs = re.escape(bytes(sorted({i >> 8 & 0xFF for i in wanted})))
    code = _section(sections, TYPE_CODE_ITEM, len(data))
    if code is not None:
        places = []
        # the opcode is consumed, the rest looked ahead: overlapping candidates are all seen, and `re` can
        # skip to the next opcode byte quickly
        pattern = re.compile(rb"\x1a(?=[\x00-\xff]([\x00-\xff][" + highs + rb"]))|\x1b(?=[\x00-\xff]([\x00-\xff]{4}))",
                             re.DOTALL)
        for m in pattern.finditer(data, code[0], code[1]):
            if m.start() & 1:
                continue
            idx = int.from_bytes(m.group(m.lastindex), "little")
            if idx in wanted:
                places.append((m.start(), idx))
        if places:
            finder = _CodeOwners(data, class_defs)
            for place, idx in places:
                cls = finder.owner(place)
                if cls is not None:
                    own(idx, cls)
    arrays = _section(sections, TYPE_ENCODED_ARRAY_ITEM, len(data))
    if arrays is not None:
        statics: list[tuple[int, int]] = []
        offsets: list[int] = []
        # an encoded_value of type string: header (size - 1) << 5 | 0x17, then 1..4 index bytes, low first
        lows = re.escape(bytes(sorted({i for i in wanted if i < 0x100})))
        pattern = re.compile(rb"\x17(?=([" + (lows or b"\x00") + rb"]))|\x37(?=([\x00-\xff][" + highs +
                             rb"]))|\x57(?=([\x00-\xff]{3}))|\x77(?=([\x00-\xff]{4}))", re.DOTALL)
        for m in pattern.finditer(data, arrays[0], arrays[1]):
            idx = int.from_bytes(m.group(m.lastindex), "little")
            if idx not in wanted:
                continue
            if not statics:
                statics = sorted((sv, cls) for cls, (_, sv) in enumerate(class_defs) if sv)
                offsets = [s for s, _ in statics]
            i = bisect_right(offsets, m.start()) - 1
            if i < 0 or not _is_static_value(data, offsets[i], m.start()):
                continue
            # encoded arrays may be shared by classes with the same initial values
            j = i
            while j >= 0 and offsets[j] == offsets[i]:
                own(idx, statics[j][1])
                j -= 1
    return owners
