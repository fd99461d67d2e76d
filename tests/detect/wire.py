"""Real wire encodings for end-to-end tests: protobuf (hand-rolled writer), multipart, form, gzip, base64."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import urllib.parse

from analyzer.model import Flow
from bench.quality.wire import varint


def pb_field(num: int, value) -> bytes:
    """One protobuf field: int -> varint, float -> fixed64 double, str/bytes -> length-delimited."""
    if isinstance(value, bool) or isinstance(value, int):
        return varint(num << 3) + varint(int(value))
    if isinstance(value, float):
        return varint(num << 3 | 1) + struct.pack("<d", value)
    data = value.encode() if isinstance(value, str) else value
    return varint(num << 3 | 2) + varint(len(data)) + data


def pb(*pairs) -> bytes:
    return b"".join(pb_field(n, v) for n, v in pairs)


def multipart(parts: dict[str, str], boundary: str = "hpaBoundary7MA4YWxk") -> tuple[bytes, str]:
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in parts.items()) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def form(pairs: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(pairs).encode()


def request(url: str, body: bytes = b"", content_type: str = "", gz: bool = False, headers=(), fid: str = "f1",
            method: str = "POST") -> Flow:
    parts = urllib.parse.urlsplit(url)
    hs = [("Host", parts.hostname), ("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7)")]
    if content_type:
        hs.append(("Content-Type", content_type))
    if gz:
        body = gzip.compress(body)
        hs.append(("Content-Encoding", "gzip"))
    hs += list(headers)
    return Flow(id=fid, host=parts.hostname, method=method, scheme=parts.scheme, path=parts.path or "/",
                query=parts.query, request_headers=hs, request_body=body)


def js(obj) -> bytes:
    return json.dumps(obj).encode()


def b64json(obj) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()
