"""Cleartext HTTP/1.x requests inside a packet capture, reassembled from TCP segments into Flows (origin "pcap").

A stream starts at a segment whose payload opens with a request line; later segments are placed by sequence number
(retransmissions and overlaps trimmed; a gap ends the stream, what came before is kept). Requests end by
Content-Length or chunked encoding; several on one connection (keep-alive, pipelining) each become a Flow. Bounded:
`MAX_STREAMS` streams at once, `MAX_HEAD` bytes of request line and headers, `MAX_BODY` bytes of body.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..decode.compression import decode_body
from ..model import Flow

METHODS = (b"GET ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ", b"HEAD ", b"OPTIONS ")
_FIRST = frozenset(m[0] for m in METHODS)
MAX_STREAMS = 1024
MAX_HEAD = 64 << 10
MAX_BODY = 16 << 20


def starts_request(data: bytes, p: int) -> bool:
    return p < len(data) and data[p] in _FIRST and data.startswith(METHODS, p)


@dataclass
class HttpStream:
    id_prefix: str
    src: bytes
    dst: bytes
    dport: int
    next_seq: int
    buf: bytearray = field(default_factory=bytearray)
    first_n: int = 0                # packet number and time of the request being assembled
    first_ts: float = 0.0
    broken: bool = False            # a gap or an oversize request: nothing more is read from this connection

    def feed(self, payload: bytes, seq: int, n: int, ts: float) -> Iterator[Flow]:
        if self.broken:
            return
        if seq != self.next_seq:
            behind = (self.next_seq - seq) & 0xFFFFFFFF
            if behind < 0x80000000:             # a retransmission or an overlap: keep only what is new
                payload = payload[behind:]
                if not payload:
                    return
            else:                               # a segment is missing: the rest cannot be placed
                self.broken = True
                return
        if not self.buf:
            self.first_n, self.first_ts = n, ts
        self.buf += payload
        self.next_seq = (self.next_seq + len(payload)) & 0xFFFFFFFF
        while self.buf:
            got = _request(self, final=False)
            if got is None:
                if len(self.buf) > MAX_HEAD + MAX_BODY:
                    self.broken = True
                return
            flow, used = got
            yield flow
            del self.buf[:used]
            if self.buf and not starts_request(bytes(self.buf[:8]), 0):
                self.broken = True              # not a request after a request: stop here
                return
            self.first_n, self.first_ts = n, ts


def http_flow(stream: HttpStream, final: bool = True) -> Flow | None:
    """The request a stream holds at the end of the capture, cut short (None without its headers)."""
    if stream.broken and not stream.buf:
        return None
    got = _request(stream, final=final)
    return got[0] if got else None


def _request(st: HttpStream, final: bool) -> tuple[Flow, int] | None:
    buf = st.buf
    end = buf.find(b"\r\n\r\n", 0, MAX_HEAD)
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        st.broken = True
        return None
    method, target, version = parts
    headers = []
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if sep:
            headers.append((k.strip(), v.strip()))
    lower = {k.lower(): v for k, v in headers}
    start = end + 4
    error = None
    if "chunked" in lower.get("transfer-encoding", "").lower():
        body, used, complete = _dechunk(buf, start)
    else:
        try:
            length = int(lower.get("content-length", "0"))
        except ValueError:
            length = 0
        length = max(0, min(length, MAX_BODY))
        body = bytes(buf[start:start + length])
        used, complete = start + len(body), len(body) >= length
    if not complete:
        if not final:
            return None
        error = "request cut short in the packet capture"
    host_header = lower.get("host", "")
    u = urlsplit(target) if "://" in target else None
    path, _, query = (u.path if u else target).partition("?") if not u else (u.path, "", u.query)
    host = (u.hostname if u else None) or _host_only(host_header) or str(ipaddress.ip_address(st.dst))
    dec = decode_body(body, lower.get("content-encoding"))
    flow = Flow(id=f"{st.id_prefix}:{st.first_n}", host=host, time=st.first_ts or None, method=method, scheme="http",
                port=st.dport, path=path or "/", query=query, request_headers=headers, request_body=dec.body,
                http_version=version, origin="pcap", kind="http", server_ip=str(ipaddress.ip_address(st.dst)),
                error=error or dec.error, body_encoding="wire")
    return flow, used


def _host_only(h: str) -> str:
    if h.startswith("["):
        return h[1:].split("]")[0]
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def _dechunk(buf: bytearray, pos: int) -> tuple[bytes, int, bool]:
    """(body, bytes used, complete) of a chunked body starting at `pos`."""
    out = bytearray()
    while True:
        eol = buf.find(b"\r\n", pos, pos + 1024)
        if eol < 0:
            return bytes(out), pos, False
        try:
            size = int(bytes(buf[pos:eol]).split(b";")[0].strip() or b"x", 16)
        except ValueError:
            return bytes(out), pos, False
        if size == 0:
            trailer = buf.find(b"\r\n\r\n", eol)
            if trailer == eol:
                return bytes(out), eol + 4, True
            if trailer < 0:
                return bytes(out), eol + 2, buf[eol:eol + 4] == b"\r\n\r\n"
            return bytes(out), trailer + 4, True
        if eol + 2 + size + 2 > len(buf) or len(out) + size > MAX_BODY:
            out += buf[eol + 2: eol + 2 + size]
            return bytes(out[:MAX_BODY]), len(buf), False
        out += buf[eol + 2: eol + 2 + size]
        pos = eol + 2 + size + 2
