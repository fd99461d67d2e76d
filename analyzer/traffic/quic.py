"""The SNI of a QUIC connection, from the client's Initial packets (RFC 9000, RFC 9001 section 5, RFC 9369 for v2).

Initial packets are protected with keys every observer can derive from the Destination Connection ID, so a pcap
names the host of a QUIC (HTTP/3) connection that bypassed the proxy, as Cronet and Google's SDKs do. The
ClientHello travels in CRYPTO frames, possibly across several Initial packets and out of order (Chrome scrambles
them): fragments are put together by offset, bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

V1, V2 = 0x00000001, 0x6B3343CF
# initial salts: RFC 9001 section 5.2, RFC 9369 section 3.3.1
SALTS = {V1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
         V2: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")}
LABELS = {V1: (b"quic key", b"quic iv", b"quic hp"), V2: (b"quicv2 key", b"quicv2 iv", b"quicv2 hp")}
INITIAL_TYPE = {V1: 0, V2: 1}
MAX_CRYPTO = 64 << 10           # bytes of ClientHello gathered per connection


class NotInitial(ValueError):
    """Not a client Initial packet this reader can open."""


def looks_initial(payload: bytes) -> bool:
    """Cheap test on a UDP payload: a long header with the fixed bit, version 1 or 2."""
    return len(payload) >= 1200 - 64 and payload[0] & 0xC0 == 0xC0 and \
        int.from_bytes(payload[1:5], "big") in SALTS


def _expand_label(secret: bytes, label: bytes, length: int) -> bytes:
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def _keys(version: int, dcid: bytes) -> tuple[bytes, bytes, bytes]:
    initial = hmac.new(SALTS[version], dcid, hashlib.sha256).digest()
    client = _expand_label(initial, b"client in", 32)
    k, iv, hp = LABELS[version]
    return _expand_label(client, k, 16), _expand_label(client, iv, 12), _expand_label(client, hp, 16)


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    if i >= len(buf):
        raise NotInitial("varint past end")
    n = 1 << (buf[i] >> 6)
    if i + n > len(buf):
        raise NotInitial("varint past end")
    v = buf[i] & 0x3F
    for b in buf[i + 1:i + n]:
        v = v << 8 | b
    return v, i + n


def open_initial(payload: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
    """(destination connection id, [(offset, CRYPTO data)]) of the first packet of a UDP datagram. Raises
    NotInitial."""
    version = int.from_bytes(payload[1:5], "big")
    if version not in SALTS or (payload[0] >> 4) & 3 != INITIAL_TYPE[version]:
        raise NotInitial("not an Initial packet")
    i = 5
    dlen = payload[i]
    if dlen > 20:
        raise NotInitial("connection id too long")
    dcid = payload[i + 1:i + 1 + dlen]
    i += 1 + dlen
    if i >= len(payload) or payload[i] > 20:
        raise NotInitial("bad source connection id")
    i += 1 + payload[i]
    token_len, i = _varint(payload, i)
    i += token_len
    length, pn_off = _varint(payload, i)
    if pn_off + length > len(payload) or length < 20:
        raise NotInitial("packet past end")
    key, iv, hp = _keys(version, dcid)
    sample = payload[pn_off + 4:pn_off + 20]
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(sample)
    first = payload[0] ^ (mask[0] & 0x0F)
    pn_len = (first & 0x03) + 1
    pn_bytes = bytes(b ^ m for b, m in zip(payload[pn_off:pn_off + pn_len], mask[1:1 + pn_len]))
    header = bytes([first]) + payload[1:pn_off] + pn_bytes
    nonce = (int.from_bytes(iv, "big") ^ int.from_bytes(pn_bytes, "big")).to_bytes(12, "big")
    try:
        plain = AESGCM(key).decrypt(nonce, payload[pn_off + pn_len:pn_off + length], header)
    except InvalidTag:
        raise NotInitial("does not decrypt with the initial keys (a server packet, or not QUIC)") from None
    return dcid, _crypto_frames(plain)


def _crypto_frames(plain: bytes) -> list[tuple[int, bytes]]:
    out = []
    i = 0
    while i < len(plain):
        t = plain[i]
        if t in (0x00, 0x01):                   # PADDING, PING
            i += 1
        elif t == 0x06:                         # CRYPTO: offset, length, data
            off, i = _varint(plain, i + 1)
            n, i = _varint(plain, i)
            out.append((off, plain[i:i + n]))
            i += n
        elif t in (0x02, 0x03):                 # ACK: largest, delay, range count, first range, ranges (+ ECN)
            _, i = _varint(plain, i + 1)
            _, i = _varint(plain, i)
            count, i = _varint(plain, i)
            _, i = _varint(plain, i)
            for _ in range(count * 2 + (3 if t == 0x03 else 0)):
                _, i = _varint(plain, i)
        elif t == 0x1C:                         # CONNECTION_CLOSE
            break
        else:
            break                               # a frame a client Initial should not carry: stop reading
    return out


@dataclass
class CryptoStream:
    """The CRYPTO bytes of one connection's Initials, put in order by offset."""

    first_n: int
    first_ts: float
    pieces: dict[int, bytes] = field(default_factory=dict)

    def add(self, frames: list[tuple[int, bytes]]) -> bytes | None:
        """The ClientHello handshake message once whole, else None."""
        for off, data in frames:
            if off + len(data) <= MAX_CRYPTO:
                self.pieces.setdefault(off, data)
        buf = bytearray()
        for off in sorted(self.pieces):
            data = self.pieces[off]
            if off > len(buf):
                break
            buf += data[len(buf) - off:]
        if len(buf) < 4 or buf[0] != 0x01:
            return None
        need = 4 + int.from_bytes(buf[1:4], "big")
        return bytes(buf[:need]) if len(buf) >= need else None


def as_tls_record(hello: bytes) -> bytes:
    """A ClientHello handshake message inside a TLS record header, as `pcap.parse_client_hello` reads it."""
    return b"\x16\x03\x01" + len(hello).to_bytes(2, "big") + hello
