"""Byte-level encoders for the corpus: protobuf wire format, multipart, gzip, base64, JWT.

Written from the formats' public specifications so the corpus does not depend on hpa's own decoders
(a bug shared by generator and decoder would hide itself).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
from typing import Any, Iterable
from urllib.parse import quote, urlencode

from analyzer.decode.protobuf import write_varint


# -- protobuf (https://protobuf.dev/programming-guides/encoding/) ----------------------------------
varint = write_varint                   # the one protobuf varint writer, shipped with the reader


def pb_varint(field: int, value: int) -> bytes:
    return varint(field << 3 | 0) + varint(int(value))


def pb_bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return varint(field << 3 | 2) + varint(len(data)) + data


def pb_double(field: int, value: float) -> bytes:
    return varint(field << 3 | 1) + struct.pack("<d", value)


def pb_message(field: int, parts: Iterable[bytes]) -> bytes:
    return pb_bytes(field, b"".join(parts))


# -- bodies ---------------------------------------------------------------------------------------
def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)   # mtime=0: byte-identical output per seed


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def b64url(data: bytes | str) -> str:
    return base64.urlsafe_b64encode(data.encode() if isinstance(data, str) else data).decode().rstrip("=")


def compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def form(pairs: list[tuple[str, Any]]) -> str:
    return urlencode([(k, str(v)) for k, v in pairs], quote_via=quote)


def multipart(parts: list[tuple[str, str]], boundary: str) -> bytes:
    out = []
    for name, value in parts:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode("utf-8")


def jwt(payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 JWT (RFC 7519); the signature is real so the token is well formed."""
    import hmac
    head = b64url(compact({"alg": "HS256", "typ": "JWT"}))
    body = b64url(compact(payload))
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()
