"""Read class names and host-like strings straight from a dex file's tables.

A full disassembly (androguard's AnalyzeAPK) is far more than hpa needs: the tracker signatures are
class-name prefixes and the hosts are string constants. The dex header points at string_ids (offsets of
MUTF-8 string_data items), type_ids (string index of each descriptor) and class_defs (type index of each
class defined in the file). Format: https://source.android.com/docs/core/runtime/dex-format
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

from .dexrefs import string_owners

DEX_MAGIC = re.compile(rb"dex\n0[0-9]{2}\x00")
HEADER_SIZE = 0x70
CLASS_DEF_SIZE = 32
TYPE_STRING_DATA_ITEM = 0x2002

# A string that is a bare host name: one uleb128 length byte (< 128 chars) then lowercase labels, then NUL.
_BARE_HOST = re.compile(rb"\x00([\x04-\x7f])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})(?=\x00)")
_URL_MARK = re.compile(rb"://")


class DexError(ValueError):
    """The bytes are not a well-formed dex file."""


@dataclass(slots=True)
class DexScan:
    name: str
    size: int
    classes: list[str] = field(default_factory=list)       # dotted Java names of the classes defined here
    strings: int = 0                                        # string_ids count
    url_strings: list[str] = field(default_factory=list)   # strings holding "://"
    host_strings: list[str] = field(default_factory=list)  # strings that are exactly a host-like name
    # the classes that use each of those strings (const-string in their code, static field values)
    string_classes: dict[str, list[str]] = field(default_factory=dict)


def _u32_table(data: bytes, off: int, count: int) -> array:
    table = array("I")
    table.frombytes(data[off:off + 4 * count])
    if sys.byteorder != "little":
        table.byteswap()
    return table


def _string_at(data: bytes, off: int) -> str:
    # string_data_item: uleb128 utf16 length, then MUTF-8 bytes ending with NUL
    while data[off] & 0x80:
        off += 1
    end = data.index(b"\x00", off + 1)
    return data[off + 1:end].decode("utf-8", "replace")


def _class_names(data: bytes, offsets: list[int]) -> list[str]:
    """Dotted names of the class descriptors at these string offsets.

    Fast path: an ASCII descriptor under 128 chars is one length byte, 'L', the name, ';', NUL, so it can be
    sliced without decoding; the slices are decoded and dotted in one go. Anything else takes the slow path."""
    raw: list[bytes] = []
    slow: list[int] = []
    for i, o in enumerate(offsets):
        n = data[o]
        if n < 0x80 and data[o + 1] == 0x4C and data[o + n] == 0x3B and data[o + n + 1] == 0:
            raw.append(data[o + 2:o + n])
        else:
            raw.append(b"")
            slow.append(i)
    names = b"\n".join(raw).decode("utf-8", "replace").replace("/", ".").split("\n")
    for i in slow:
        desc = _string_at(data, offsets[i])
        names[i] = desc[1:-1].replace("/", ".") if desc.startswith("L") and desc.endswith(";") else ""
    return names          # one per offset; "" where the descriptor is not a class name


def _map_sections(data: bytes, map_off: int) -> list[tuple[int, int]]:
    """The map list as (type, offset), by offset; empty when it does not fit in the file."""
    if 0 < map_off <= len(data) - 4:
        (n,) = struct.unpack_from("<I", data, map_off)
        if map_off + 4 + 12 * n <= len(data):
            return sorted(((t, o) for t, _, _, o in (struct.unpack_from("<HHII", data, map_off + 4 + 12 * i)
                                                      for i in range(n))), key=lambda x: x[1])
    return []


def _string_section(sections: list[tuple[int, int]], size: int, string_offsets: array) -> tuple[int, int]:
    """Bounds of the contiguous string_data section, from the map list (fallback: the offsets themselves)."""
    start = min(string_offsets)
    later = [o for _, o in sections if o > start]
    return start, (later[0] if later else size)


def _string_index(strings: array, offset: int, by_offset: dict[int, int]) -> int | None:
    # string data is laid out in string_id order by every dex writer we know: bisect, and check
    i = bisect_left(strings, offset)
    if i < len(strings) and strings[i] == offset:
        return i
    if not by_offset:
        by_offset.update((o, k) for k, o in enumerate(strings))
    return by_offset.get(offset)


def scan_dex(data: bytes, name: str = "classes.dex") -> DexScan:
    """Class names and host-bearing strings of one dex file; DexError when the tables do not fit."""
    if len(data) < HEADER_SIZE or not DEX_MAGIC.match(data):
        raise DexError(f"{name}: not a dex file")
    (file_size, header_size, endian, _, _, map_off, str_n, str_off, type_n, type_off) = struct.unpack_from(
        "<IIIIIIIIII", data, 0x20)
    (class_n, class_off) = struct.unpack_from("<II", data, 0x60)
    if endian != 0x12345678:
        raise DexError(f"{name}: unsupported byte order")
    n = len(data)
    for off, count, width in ((str_off, str_n, 4), (type_off, type_n, 4), (class_off, class_n, CLASS_DEF_SIZE)):
        if count and (off < HEADER_SIZE or off + count * width > n):
            raise DexError(f"{name}: table outside the file")
    scan = DexScan(name=name, size=n, strings=str_n)
    if not str_n:
        return scan
    strings = _u32_table(data, str_off, str_n)
    if max(strings) >= n:
        raise DexError(f"{name}: string offset outside the file")
    types = _u32_table(data, type_off, type_n)
    try:
        defs = _u32_table(data, class_off, class_n * 8)
        class_types = defs[::8]                        # class_idx is the first of 8 uint32
        names = _class_names(data, [strings[types[t]] for t in class_types])
        scan.classes = [n for n in names if n]
        sections = _map_sections(data, map_off)
        start, end = _string_section(sections, n, strings)
        section = b"\x00" + data[start:end]
        found: list[tuple[int, str]] = []              # (string_data offset, string)
        # bare host names: the length byte must equal the name's length, which rules out false starts
        for m in _BARE_HOST.finditer(section):
            if m.group(1)[0] == len(m.group(2)):
                scan.host_strings.append(m.group(2).decode("ascii"))
                found.append((start + m.start(1) - 1, scan.host_strings[-1]))
        # URLs: take the whole string around each "://" (strings hold no NUL, items are NUL-terminated)
        last = -1
        for m in _URL_MARK.finditer(section):
            if m.start() < last:
                continue
            s = section.rfind(b"\x00", 0, m.start()) + 1
            e = section.find(b"\x00", m.end())
            e = len(section) if e < 0 else e
            last = e
            item = section[s:e]
            i = 0
            while i < len(item) and item[i] & 0x80:      # skip the uleb128 length
                i += 1
            scan.url_strings.append(item[i + 1:].decode("utf-8", "replace"))
            found.append((start + s - 1, scan.url_strings[-1]))
        scan.string_classes = _string_classes(data, strings, sections, defs, names, found)
    except (IndexError, ValueError) as e:
        raise DexError(f"{name}: corrupt tables ({e})") from None
    return scan


def _string_classes(data: bytes, strings: array, sections: list[tuple[int, int]], defs: array, names: list[str],
                    found: list[tuple[int, str]]) -> dict[str, list[str]]:
    """{string: [class name, ...]} for the found strings some class uses."""
    by_offset: dict[int, int] = {}
    wanted: dict[int, str] = {}
    for offset, text in found:
        idx = _string_index(strings, offset, by_offset)
        if idx is not None:
            wanted[idx] = text
    # class_data_off and static_values_off are the 7th and 8th uint32 of each class_def
    class_defs = list(zip(defs[6::8], defs[7::8]))
    owners = string_owners(data, sections, class_defs, set(wanted))
    return {wanted[idx]: [names[c] for c in cls if names[c]] for idx, cls in owners.items()}
