"""Bounded removal of HTTP content-encoding (gzip, deflate, br, zstd).

Captured bodies are attacker-controlled: a few KB of gzip can expand to GBs. Every decoder here
stops at `MAX_DECODED` bytes and reports the bound instead of exhausting memory.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import brotli
import zstandard

MAX_DECODED = 64 * 1024 * 1024      # bytes of decoded output kept per body
_CHUNK = 1024 * 1024


class BodyTooLarge(Exception):
    """The decoded body would exceed the bound."""


@dataclass(slots=True)
class Decoded:
    body: bytes
    error: str | None = None        # set when the body could not be decoded (it is then returned as given)


def _zlib(data: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = bytearray()
    buf = data
    while True:
        out += d.decompress(buf, _CHUNK)
        if len(out) > limit:
            raise BodyTooLarge
        buf = d.unconsumed_tail
        if d.eof or not buf:
            break
    if not d.eof:
        out += d.flush()
        if len(out) > limit:
            raise BodyTooLarge
    return bytes(out)


def _gzip(data: bytes, limit: int) -> bytes:
    return _zlib(data, 16 + zlib.MAX_WBITS, limit)


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" in the wild is zlib-wrapped or raw; mitmproxy tries both too.
    try:
        return _zlib(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _zlib(data, -zlib.MAX_WBITS, limit)


def _brotli(data: bytes, limit: int) -> bytes:
    d = brotli.Decompressor()
    out = bytearray(d.process(data, output_buffer_limit=_CHUNK))
    while not d.can_accept_more_data():
        if len(out) > limit:
            raise BodyTooLarge
        out += d.process(b"", output_buffer_limit=_CHUNK)
    if len(out) > limit:
        raise BodyTooLarge
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    out = reader.read(limit + 1)
    if len(out) > limit:
        raise BodyTooLarge
    return out


_DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd}
_MAGIC = {"gzip": b"\x1f\x8b", "x-gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}


def looks_encoded(encoding: str, body: bytes) -> bool:
    """Whether `body` still looks compressed with `encoding` (exporters often store the decoded text
    while keeping the Content-Encoding header)."""
    magic = _MAGIC.get(encoding)
    if magic is not None:
        return body.startswith(magic)
    if encoding == "deflate":
        return len(body) >= 2 and (body[0] & 0x0F) == 8 and (body[0] << 8 | body[1]) % 31 == 0 or not _mostly_text(body)
    return not _mostly_text(body)       # brotli has no magic number: plain text means already decoded


def _mostly_text(body: bytes) -> bool:
    sample = body[:512]
    if not sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:   # a multi-byte char cut at the sample end is fine
            return False
    return True


def decode_body(body: bytes, content_encoding: str | None, *, only_if_encoded: bool = False,
                limit: int = MAX_DECODED) -> Decoded:
    """Remove `content_encoding` (possibly a list like "gzip, br", applied in order) from `body`.

    `only_if_encoded`: skip a layer when the body does not look encoded (HAR/JSONL exporters).
    Unknown encodings and undecodable bodies leave the body as it is, with `error` set.
    """
    if not body or not content_encoding:
        return Decoded(body)
    layers = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    for enc in reversed(layers):    # the last encoding applied is removed first
        if enc == "identity":
            continue
        fn = _DECODERS.get(enc)
        if fn is None:
            return Decoded(body, f"unknown content-encoding {enc!r}")
        if only_if_encoded and not looks_encoded(enc, body):
            continue
        try:
            body = fn(body, limit)
        except BodyTooLarge:
            return Decoded(body, f"{enc} body larger than {limit} bytes once decoded: kept encoded")
        except (zlib.error, brotli.error, zstandard.ZstdError, ValueError, EOFError) as e:
            if only_if_encoded and enc not in _MAGIC:
                continue        # no magic number to go by: most likely a binary body stored decoded
            return Decoded(body, f"{enc} body could not be decoded: {e}")
    return Decoded(body)
