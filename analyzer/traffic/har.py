"""HAR 1.2 -> Flow, streamed with ijson (`log.entries` one entry at a time).

Written for the HAR files found in practice: mitmproxy's export (bodies decoded but the
Content-Encoding header kept), browsers' devtools, HTTP Toolkit and PCAPdroid (binary bodies as
base64 via `encoding`, `_content` or a data: URI; optional fields missing).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote_plus, urlsplit

import ijson

from ..model import Flow, TLSInfo
from ..decode.compression import decode_body
from .capped_json import CappedStrings
from .mitm import _name

MAX_WS_MESSAGES = 10_000
READ_BUFFER = 256 << 10             # ijson re-scans a token spanning buffers: a larger buffer keeps a long string cheap


class EntryError(ValueError):
    """A HAR entry that cannot become a Flow."""


def _headers(obj: dict[str, Any], key: str = "headers") -> list[tuple[str, str]]:
    raw = obj.get(key) or []
    if not isinstance(raw, list):
        raise EntryError(f"{key} is not a list")
    out = []
    for h in raw:
        if not isinstance(h, dict) or not isinstance(h.get("name"), str):
            raise EntryError("bad header")
        v = h.get("value")
        out.append((h["name"], "" if v is None else str(v)))
    return out


def _text_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape") if _encodable(text) else text.encode("utf-8", "replace")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as e:
        raise EntryError(f"bad base64 body: {e}") from e


def _content(obj: Any) -> bytes | None:
    """Body of a HAR content-like object {text, encoding}, or None when absent."""
    if not isinstance(obj, dict):
        return None
    text = obj.get("text")
    if text is None:
        return None
    if not isinstance(text, str):
        raise EntryError("body text is not a string")
    if str(obj.get("encoding", "")).lower() == "base64":
        return _b64(text)
    if text.startswith("data:") and ";base64," in text[:200]:
        return _b64(text.split(";base64,", 1)[1])
    return _text_bytes(text)


def _request_body(req: dict[str, Any]) -> bytes:
    pd = req.get("postData")
    for candidate in (pd.get("_content") if isinstance(pd, dict) else None, req.get("_content"), pd):
        body = _content(candidate)
        if body is not None:
            return body
    if isinstance(pd, dict) and isinstance(pd.get("params"), list):     # form without text
        parts = []
        for p in pd["params"]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                parts.append(f"{quote_plus(p['name'])}={quote_plus(str(p.get('value') or ''))}")
        return "&".join(parts).encode()
    return b""


def _time(v: Any) -> float | None:
    if not isinstance(v, str) or not v:
        return None
    try:
        t = _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.timestamp()


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return int(v) if v >= 0 else None


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def entry_to_flows(entry: Any, fid: str, source: str | None = None) -> list[Flow]:
    """The Flow of a HAR entry, then one flow per websocket message sent (Chrome `_webSocketMessages`)."""
    if not isinstance(entry, dict):
        raise EntryError("entry is not an object")
    req = entry.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("url"), str):
        raise EntryError("entry has no request url")
    try:
        u = urlsplit(req["url"])
        port = u.port
    except ValueError as e:
        raise EntryError(f"bad url: {e}") from e
    scheme = (u.scheme or "https").lower()
    if scheme in ("ws", "wss"):
        scheme = {"ws": "http", "wss": "https"}[scheme]
    headers = _headers(req)
    host_header = _header(headers, "host") or _header(headers, ":authority")
    if host_header and host_header.startswith("["):
        host_header = host_header.split("]")[0] + "]"
    elif host_header:
        host_header = host_header.rsplit(":", 1)[0]
    sni = entry.get("_sni") if isinstance(entry.get("_sni"), str) else None
    host = _name(host_header, sni, u.hostname)
    if not host:
        raise EntryError("entry has no host")
    body = _request_body(req)
    dec = decode_body(body, _header(headers, "content-encoding"), only_if_encoded=True)
    resp = entry.get("response") if isinstance(entry.get("response"), dict) else {}
    status = _int(resp.get("status"))
    content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
    size = _int(content.get("size"))
    if size is None:
        size = _int(resp.get("bodySize"))
    method = req.get("method") if isinstance(req.get("method"), str) else "GET"
    version = req.get("httpVersion") if isinstance(req.get("httpVersion"), str) and req.get("httpVersion") else None
    server_ip = entry.get("serverIPAddress") if isinstance(entry.get("serverIPAddress"), str) else None
    error = resp.get("_error") if isinstance(resp.get("_error"), str) else None
    tls = TLSInfo(sni=sni or (host if scheme == "https" else None)) if scheme == "https" else None
    flow = Flow(
        id=fid, host=host, time=_time(entry.get("startedDateTime")), method=method, scheme=scheme,
        port=port if port is not None else (443 if scheme == "https" else 80),
        path=u.path or "/", query=u.query, request_headers=headers, request_body=dec.body,
        status=status if status else None,     # HAR uses 0 for "no response"
        response_headers=_headers(resp) if resp else [], response_size=size, http_version=version,
        tls=tls, origin="import", kind="http", server_ip=server_ip or None,
        error=error or dec.error, source=source,
    )
    flows = [flow]
    msgs = entry.get("_webSocketMessages")
    if isinstance(msgs, list):
        for i, m in enumerate(msgs[:MAX_WS_MESSAGES]):
            if not isinstance(m, dict) or m.get("type") != "send" or not isinstance(m.get("data"), str):
                continue
            data = _b64(m["data"]) if m.get("opcode") == 2 else _text_bytes(m["data"])
            t = m.get("time")
            flows.append(Flow(id=f"{fid}:m{i}", host=host, time=float(t) if isinstance(t, (int, float)) else flow.time,
                              method="", scheme=scheme, port=flow.port, path=flow.path, query=flow.query,
                              request_body=data, tls=tls, origin="import", kind="websocket",
                              server_ip=flow.server_ip, source=source))
    return flows


def iter_har(fp: IO[bytes], skipped: dict[str, int], id_prefix: str, source: str | None = None) -> Iterator[Flow]:
    """Flows from an open HAR file; bad entries are counted in `skipped` by reason."""
    capped = CappedStrings(fp)          # a huge body string is cut (bounded memory and time), and counted
    entries = ijson.items(capped, "log.entries.item", use_float=True, buf_size=READ_BUFFER)
    try:
        yield from _entries(entries, skipped, id_prefix, source)
    finally:
        if capped.truncated:
            skipped["har_string_truncated"] = skipped.get("har_string_truncated", 0) + capped.truncated


def _entries(entries: Iterator[Any], skipped: dict[str, int], id_prefix: str, source: str | None) -> Iterator[Flow]:
    n = 0
    while True:
        try:
            entry = next(entries)
        except StopIteration:
            return
        except (ijson.JSONError, ijson.IncompleteJSONError, ValueError, UnicodeDecodeError, RecursionError):
            # The JSON text itself is broken: the parser cannot resynchronize after this point.
            skipped["har_truncated_or_corrupt"] = skipped.get("har_truncated_or_corrupt", 0) + 1
            return
        n += 1
        try:
            flows = entry_to_flows(entry, f"{id_prefix}#{n}", source)
        except (EntryError, KeyError, TypeError, ValueError, AttributeError, OverflowError):
            skipped["bad_har_entry"] = skipped.get("bad_har_entry", 0) + 1
            continue
        yield from flows
