"""Frames of a pcap or pcapng file, as dumpcap, tcpdump and PCAPdroid write them.

pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): several sections (SHB, each with its byte
order), several interfaces per section (IDB: link type, `if_tsresol`, `if_tsoffset`), Enhanced, Simple and obsolete
Packet Blocks; statistics, name resolution, decryption secrets, custom and unknown blocks are stepped over. Classic
pcap: both byte orders, micro- and nanosecond magics. A block or record cut by the end of the file, or a length that
cannot be (not a multiple of 4, beyond the file), ends the reading and is counted as `pcap_truncated_or_corrupt`.
Reading is plain `read`/`struct`, one block at a time: memory stays flat.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

NG_MAGIC = b"\x0a\x0d\x0d\x0a"
MAX_BLOCK = 1 << 24             # 16 MiB: larger than any frame a capture tool writes (snaplen <= 256 KiB)
_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
                b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9)}


@dataclass(slots=True)
class ReadState:
    """What the block reader saw besides frames."""

    cut: int = 0                # 1: the file ends badly; 2: its last frame is cut short (still given)
    secrets: bool = False       # a pcapng Decryption Secrets Block (TLS keys written into the capture)


class PcapError(ValueError):
    """The file header is not a pcap/pcapng header."""


@dataclass(slots=True)
class Interface:
    linktype: int
    divisor: float = 1e6        # timestamp units per second (if_tsresol)
    offset: int = 0             # seconds added to timestamps (if_tsoffset)
    snaplen: int = 0


def check_header(fp: IO[bytes]) -> None:
    head = fp.read(28)
    if head[:4] == NG_MAGIC:
        if len(head) < 28 or head[8:12] not in (b"\x1a\x2b\x3c\x4d", b"\x4d\x3c\x2b\x1a"):
            raise PcapError("not a pcapng section header")
    elif head[:4] in _PCAP_MAGICS:
        if len(head) < 24:
            raise PcapError("pcap header cut short")
    else:
        raise PcapError("unknown magic number")


def frames(fp: IO[bytes], size: int, state: ReadState) -> Iterator[tuple[bytes, int, float]]:
    """(frame bytes, link type, epoch seconds) for each packet; `state` says how the file ended and what else it held."""
    magic = fp.read(4)
    fp.seek(0)
    if magic == NG_MAGIC:
        yield from _pcapng(fp, size, state)
    else:
        yield from _pcap(fp, size, state)


def _pcap(fp: IO[bytes], size: int, state: ReadState) -> Iterator[tuple[bytes, int, float]]:
    head = fp.read(24)
    endian, div = _PCAP_MAGICS[head[:4]]
    linktype = struct.unpack(endian + "I", head[20:24])[0] & 0x0FFFFFFF     # upper bits: FCS flags
    rec = struct.Struct(endian + "IIII")
    pos = 24
    while True:
        h = fp.read(16)
        if not h:
            return
        if len(h) < 16:
            state.cut = 1
            return
        sec, frac, caplen, _ = rec.unpack(h)
        if caplen > MAX_BLOCK:
            state.cut = 1
            return
        if pos + 16 + caplen > size:            # the last frame, cut by the end of the file: what is there
            state.cut = 2
            yield fp.read(caplen), linktype, sec + frac / div
            return
        data = fp.read(caplen)
        pos += 16 + caplen
        yield data, linktype, sec + frac / div


def _tsresol(v: int) -> float:
    return float(2 ** (v & 0x7F)) if v & 0x80 else float(10 ** v)


def _idb(body: bytes, e: str) -> Interface:
    linktype, _, snaplen = struct.unpack(e + "HHI", body[:8])
    iface = Interface(linktype, snaplen=snaplen)
    i = 8
    while i + 4 <= len(body):                   # options: code, length, value padded to 4
        code, ln = struct.unpack(e + "HH", body[i:i + 4])
        val = body[i + 4:i + 4 + ln]
        if code == 0:
            break
        if code == 9 and ln >= 1:
            iface.divisor = _tsresol(val[0])
        elif code == 14 and ln == 8:
            iface.offset = struct.unpack(e + "q", val)[0]
        i += 4 + ln + (-ln % 4)
    return iface


def _pcapng(fp: IO[bytes], size: int, state: ReadState) -> Iterator[tuple[bytes, int, float]]:
    e = "<"
    ifaces: list[Interface] = []
    pos = 0
    while True:
        h = fp.read(8)
        if not h:
            return
        if len(h) < 8:
            state.cut = 1
            return
        btype = h[:4]
        if btype == NG_MAGIC:                   # a new section: its own byte order and interfaces
            bom = fp.read(4)
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">" if bom == b"\x1a\x2b\x3c\x4d" else ""
            if not e:
                state.cut = 1
                return
            blen = struct.unpack(e + "I", h[4:8])[0]
            rest = blen - 12
            ifaces = []
        else:
            blen = struct.unpack(e + "I", h[4:8])[0]
            rest = blen - 8
        if blen < 12 or blen % 4 or blen > MAX_BLOCK or pos + blen > size:
            state.cut = 1
            return
        body = fp.read(rest)
        pos += blen
        if len(body) < rest:
            state.cut = 1
            return
        t = struct.unpack(e + "I", btype)[0]
        body = body[:-4]                        # the trailing copy of the length
        try:
            if t == 1:
                ifaces.append(_idb(body, e))
            elif t == 6:                        # Enhanced Packet Block
                iid, hi, lo, caplen, _ = struct.unpack(e + "IIIII", body[:20])
                iface = ifaces[iid]
                yield body[20:20 + caplen], iface.linktype, ((hi << 32) | lo) / iface.divisor + iface.offset
            elif t == 3:                        # Simple Packet Block: interface 0, no timestamp
                iface = ifaces[0]
                (wirelen,) = struct.unpack(e + "I", body[:4])
                cap = min(wirelen, len(body) - 4, iface.snaplen or wirelen)
                yield body[4:4 + cap], iface.linktype, 0.0
            elif t == 0x0A:                     # Decryption Secrets Block
                state.secrets = True
            elif t == 2:                        # obsolete Packet Block
                iid, _, hi, lo, caplen, _ = struct.unpack(e + "HHIIII", body[:20])
                iface = ifaces[iid]
                yield body[20:20 + caplen], iface.linktype, ((hi << 32) | lo) / iface.divisor + iface.offset
        except (struct.error, IndexError):
            yield b"", -2, 0.0                  # a damaged block (or one naming no interface): counted by the caller
