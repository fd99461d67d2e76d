"""HAR 1.2 -> Flow, one entry at a time (`json_stream`: the json module's C scanner on each entry, memory flat).

The request bytes are recovered by the rule of the exporter named in `log.creator` (`har_body`), and how is kept in
`Flow.body_encoding`. A bad entry (not an object, no URL, bad base64, nested too deep, too large) is skipped and
counted; a file cut short keeps every entry before the cut.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import quote_plus, urlsplit

from ..decode.compression import decode_body
from ..model import Flow, TLSInfo
from .har_body import BodyError, Recovered, b64, exporter_of, text_bytes, utf8
from .json_stream import DECODER, JsonStream, Truncated
from .names import host_name
from .stats import ReadStats

MAX_WS_MESSAGES = 10_000
CREATOR_WINDOW = 64 << 10           # bytes at the head (or tail) of a HAR searched for log.creator.name
_CREATOR = re.compile(rb'"creator"\s*:\s*\{[^{}]{0,4096}?"name"\s*:\s*"((?:[^"\\]|\\.){0,200})"')


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


def _content(obj: Any, rule: str, ctype: str, cenc: str | None, sizes: tuple[int | None, ...]) -> Recovered | None:
    """Body of a HAR content-like object {text, encoding}, or None when absent."""
    if not isinstance(obj, dict):
        return None
    text = obj.get("text")
    if text is None:
        return None
    if not isinstance(text, str):
        raise EntryError("body text is not a string")
    if str(obj.get("encoding", "")).lower() == "base64":
        return Recovered(b64(text), "base64")
    if text.startswith("data:") and ";base64," in text[:200]:
        return Recovered(b64(text.split(";base64,", 1)[1]), "base64")
    return text_bytes(text, rule, ctype, cenc, sizes)


def _request_body(req: dict[str, Any], rule: str, headers: list[tuple[str, str]]) -> Recovered:
    pd = req.get("postData")
    ctype = (pd.get("mimeType") if isinstance(pd, dict) and isinstance(pd.get("mimeType"), str) else None) \
        or _header(headers, "content-type") or ""
    cenc = _header(headers, "content-encoding")
    length = _header(headers, "content-length")
    sizes = (_int(req.get("bodySize")), int(length) if length and length.strip().isdigit() else None)
    for candidate in (pd.get("_content") if isinstance(pd, dict) else None, req.get("_content"), pd):
        body = _content(candidate, rule, ctype, cenc, sizes)
        if body is not None:
            return body
    if isinstance(pd, dict) and isinstance(pd.get("params"), list):     # form without text
        parts = []
        for p in pd["params"]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                parts.append(f"{quote_plus(p['name'])}={quote_plus(str(p.get('value') or ''))}")
        return Recovered("&".join(parts).encode(), "form-params")
    return Recovered(b"", "none")


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


def entry_to_flows(entry: Any, fid: str, source: str | None = None, rule: str = "unknown") -> list[Flow]:
    """The Flow of a HAR entry, then one flow per websocket message sent (`_webSocketMessages`). `rule`: the
    exporter (`har_body.exporter_of(log.creator.name)`)."""
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
    host = host_name(host_header, sni, u.hostname)
    if not host:
        raise EntryError("entry has no host")
    try:
        rec = _request_body(req, rule, headers)
    except BodyError as e:
        raise EntryError(str(e)) from e
    dec = decode_body(rec.body, _header(headers, "content-encoding"), only_if_encoded=True)
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
        error=error or dec.error, source=source, body_encoding=rec.how,
    )
    flows = [flow]
    msgs = entry.get("_webSocketMessages")
    if isinstance(msgs, list):
        for i, m in enumerate(msgs[:MAX_WS_MESSAGES]):
            if not isinstance(m, dict) or m.get("type") != "send" or not isinstance(m.get("data"), str):
                continue
            binary = m.get("opcode") == 2
            try:
                data = b64(m["data"]) if binary else utf8(m["data"])
            except BodyError as e:
                raise EntryError(str(e)) from e
            t = m.get("time")
            flows.append(Flow(id=f"{fid}:m{i}", host=host, time=float(t) if isinstance(t, (int, float)) else flow.time,
                              method="", scheme=scheme, port=flow.port, path=flow.path, query=flow.query,
                              request_body=data, tls=tls, origin="import", kind="websocket",
                              server_ip=flow.server_ip, source=source, body_encoding="base64" if binary else "utf-8"))
    return flows


def creator_name(fp: IO[bytes], size: int) -> str | None:
    """`log.creator.name`, searched in the head of the file (where exporters write it), else in its tail."""
    pos = fp.tell()
    try:
        head = fp.read(CREATOR_WINDOW)
        m = _CREATOR.search(head)
        if m is None and size > CREATOR_WINDOW:
            fp.seek(max(pos, size - CREATOR_WINDOW))
            ms = list(_CREATOR.finditer(fp.read(CREATOR_WINDOW)))
            m = ms[-1] if ms else None
    finally:
        fp.seek(pos)
    if m is None:
        return None
    return m.group(1).decode("utf-8", "replace")


def har_entries(fp: IO[bytes], stats: ReadStats, size: int = 0, *,
                text: bool = False) -> Iterator[tuple[int, Any, str]]:
    """(number from 1, entry, exporter rule) for each entry of an open HAR file; entries the stream could not read
    are counted in `stats` by reason (and numbered: flow ids stay those of the file), a cut file as
    `har_truncated_or_corrupt`. With `text`, an entry read at C speed comes as its JSON text (for a worker)."""
    skipped = stats.skipped
    found = creator_name(fp, size) if hasattr(fp, "seek") else None
    rule = exporter_of(found) if found else None
    n = 0
    stream = JsonStream(fp, keep=("creator",))
    try:
        for entry, reason in stream.array(("log", "entries")):
            if rule is None:                # a stream that cannot seek (.zhar): the creator read on the way
                creator = stream.kept.get("creator")
                rule = exporter_of(creator.get("name") if isinstance(creator, dict) else None)
            n += 1
            if reason is not None:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            if text:
                entry = stream.last_text() or entry
            yield n, entry, rule
    except Truncated:
        skipped["har_truncated_or_corrupt"] = skipped.get("har_truncated_or_corrupt", 0) + 1
    finally:
        if stream.strings_cut:
            skipped["har_string_truncated"] = skipped.get("har_string_truncated", 0) + stream.strings_cut


_MESSAGE_SUFFIX = re.compile(r":m\d+$")       # a WebSocket message's flow id: its entry's, then :m<index>


def entries_to_flows(entries: Iterable[tuple[int, Any, str]], stats: ReadStats, id_prefix: str,
                     source: str | None = None, only: frozenset[str] | None = None) -> Iterator[Flow]:
    """Flows of numbered entries (parsed, or JSON text from `har_entries(text=True)`); a bad entry is skipped and
    counted as `bad_har_entry`, the others as records read. With `only` (flow ids), the other entries are passed
    over without being turned into flows."""
    skipped = stats.skipped
    entry_ids = None if only is None else frozenset(_MESSAGE_SUFFIX.sub("", i) for i in only)  # a message's entry
    for n, entry, rule in entries:
        if entry_ids is not None and f"{id_prefix}#{n}" not in entry_ids:
            continue
        try:
            if isinstance(entry, str):
                entry = DECODER.decode(entry)         # as the stream reads it
            flows = entry_to_flows(entry, f"{id_prefix}#{n}", source, rule)
        except (EntryError, KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError):
            skipped["bad_har_entry"] = skipped.get("bad_har_entry", 0) + 1
            continue
        stats.records += 1
        yield from flows


def iter_har(fp: IO[bytes], stats: ReadStats, id_prefix: str, source: str | None = None,
             size: int = 0, only: frozenset[str] | None = None) -> Iterator[Flow]:
    """Flows from an open HAR file; entries read are counted in `stats`, bad ones skipped by reason."""
    return entries_to_flows(har_entries(fp, stats, size), stats, id_prefix, source, only)
