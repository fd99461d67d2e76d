"""gzip, zlib/deflate, brotli and zstd, always decompressed with an output cap so a bomb costs at most the cap.

Recognised by magic bytes (gzip, zlib, zstd); brotli and raw deflate have no magic, so they are tried only when the
Content-Encoding names them. This is the one decoder of HTTP Content-Encoding: the traffic readers remove a request's
Content-Encoding with `decode_body`, the decoders find compression inside fields with `sniff`/`decompress`.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import brotli
import zstandard

_CHUNK = 64 * 1024
MAX_DECODED = 64 * 1024 * 1024      # bytes of a request body kept once its Content-Encoding is removed
_ENCODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "br": "br", "zstd": "zstd"}
_MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}


def sniff(data: bytes | memoryview, hint: str | None = None) -> str | None:
    """The compression of `data`: "gzip" | "deflate" | "zstd" | "br", or None."""
    head = bytes(data[:4])
    if head[:3] == b"\x1f\x8b\x08":
        return "gzip"
    if head == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0 \
            and not head[1] & 0x20:
        return "deflate"
    if hint in ("br", "deflate") and len(data) > 0:
        return hint
    return None


def decompress(kind: str, data: bytes | memoryview, cap: int) -> tuple[bytes | None, bool]:
    """(output, capped). Output is None when the data does not decompress at all; when the cap is reached the
    output holds the first `cap` bytes and `capped` is True. Never allocates much more than `cap`."""
    try:
        if kind == "gzip":
            return _zlib(zlib.decompressobj(16 + zlib.MAX_WBITS), data, cap)
        if kind == "deflate":
            try:
                out, capped = _zlib(zlib.decompressobj(zlib.MAX_WBITS), data, cap)
            except zlib.error:
                out = None
            if out is None:   # some servers/clients send raw deflate under "deflate"
                out, capped = _zlib(zlib.decompressobj(-zlib.MAX_WBITS), data, cap)
            return out, capped
        if kind == "zstd":
            return _zstd(data, cap)
        if kind == "br":
            return _brotli(data, cap)
    except (zlib.error, zstandard.ZstdError, brotli.error, ValueError, MemoryError, EOFError):
        return None, False
    return None, False


def whole_brotli(data: bytes | memoryview, cap: int) -> bytes | None:
    """brotli has no magic bytes: for a guess (e.g. inside base64) accept only a stream that ends within the cap."""
    d = brotli.Decompressor()
    try:
        out = d.process(data, output_buffer_limit=cap + 1)
    except brotli.error:
        return None
    if len(out) > cap or not d.is_finished() or not out:
        return None
    return out


def _zlib(d, data, cap: int) -> tuple[bytes | None, bool]:
    out = bytearray()
    mv = memoryview(data)
    for start in range(0, len(mv), _CHUNK):
        chunk = d.unconsumed_tail + mv[start:start + _CHUNK] if d.unconsumed_tail else mv[start:start + _CHUNK]
        while True:
            room = cap + 1 - len(out)
            out += d.decompress(chunk, room)
            if len(out) > cap:
                return bytes(out[:cap]), True
            chunk = d.unconsumed_tail
            if not chunk or d.eof:
                break
        if d.eof:
            break
    if not d.eof:
        # truncated stream: keep what came out if anything did
        out += d.flush()
        if not out:
            return None, False
    return bytes(out[:cap]), len(out) > cap


def _zstd(data, cap: int) -> tuple[bytes | None, bool]:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    out = bytearray()
    while len(out) <= cap:
        chunk = reader.read(min(_CHUNK, cap + 1 - len(out)))
        if not chunk:
            break
        out += chunk
    if not out:
        return None, False
    return bytes(out[:cap]), len(out) > cap


def _brotli(data, cap: int) -> tuple[bytes | None, bool]:
    d = brotli.Decompressor()
    out = bytearray()
    mv = memoryview(data)
    for start in range(0, len(mv), _CHUNK):
        out += d.process(mv[start:start + _CHUNK], output_buffer_limit=cap + 1 - len(out))
        while len(out) <= cap and not d.can_accept_more_data():
            more = d.process(b"", output_buffer_limit=cap + 1 - len(out))
            if not more:
                break
            out += more
        if len(out) > cap:
            return bytes(out[:cap]), True
        if d.is_finished():
            break
    if not out:
        return None, False
    return bytes(out[:cap]), len(out) > cap


# -- HTTP Content-Encoding of a whole body (the readers) -------------------------------------------------------------

@dataclass(slots=True)
class Decoded:
    body: bytes
    error: str | None = None        # set when the body could not be decoded (it is then returned as given)


def looks_encoded(encoding: str, body: bytes) -> bool:
    """Whether `body` still looks compressed with `encoding` (exporters often store the decoded text while keeping
    the Content-Encoding header)."""
    kind = _ENCODINGS.get(encoding, encoding)
    magic = _MAGIC.get(kind)
    if magic is not None:
        return body.startswith(magic)
    if kind == "deflate":
        return sniff(body) == "deflate" or not _mostly_text(body)
    return not _mostly_text(body)       # brotli has no magic number: plain text means already decoded


def _mostly_text(body: bytes) -> bool:
    sample = body[:512]
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
    Unknown encodings and undecodable bodies leave the body as it is, with `error` set; a body larger than `limit`
    once decoded is kept encoded (the decoders then meet it under their own bound).
    """
    if not body or not content_encoding:
        return Decoded(body)
    layers = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    for enc in reversed(layers):    # the last encoding applied is removed first
        if enc == "identity":
            continue
        kind = _ENCODINGS.get(enc)
        if kind is None:
            return Decoded(body, f"unknown content-encoding {enc!r}")
        if only_if_encoded and not looks_encoded(kind, body):
            continue
        out, capped = decompress(kind, body, limit)
        if capped:
            return Decoded(body, f"{enc} body larger than {limit} bytes once decoded: kept encoded")
        if out is None:
            if only_if_encoded and kind not in _MAGIC:
                continue        # no magic number to go by: most likely a binary body stored decoded
            return Decoded(body, f"{enc} body could not be decoded")
        body = out
    return Decoded(body)
