"""hpa JSONL: one Flow per line as a JSON object (body base64). Written by the capture addon, read back by hpa.

A line is complete or it is skipped: a crash mid-write leaves at worst one truncated last line,
which the reader counts as skipped. That is why the writer appends line by line rather than
renaming a finished file (unless `atomic=True` is asked for).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..fsutil import FILE_MODE
from ..model import Flow, TLSInfo
from ..decode.compression import decode_body

FLOW_SCHEMA = "hpa.flow/1"
# A longer line is skipped without being parsed (a body of ~96 MiB): parsing holds the line, its JSON string, the
# base64 text and the body at once, about 4x the line, and the whole analysis must stay under 1 GiB.
MAX_LINE = 128 * 1024 * 1024
_DISCARD_CHUNK = 8 * 1024 * 1024


class RecordError(ValueError):
    """A record that cannot become a Flow (skipped and counted by the readers)."""


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    """The JSON shape of one JSONL line."""
    return {
        "schema": FLOW_SCHEMA,
        "id": flow.id,
        "host": flow.host,
        "time": flow.time,
        "phase": flow.phase,
        "method": flow.method,
        "scheme": flow.scheme,
        "port": flow.port,
        "path": flow.path,
        "query": flow.query,
        "request_headers": [[k, v] for k, v in flow.request_headers],
        "request_body": base64.b64encode(flow.request_body).decode("ascii"),
        "status": flow.status,
        "response_headers": [[k, v] for k, v in flow.response_headers],
        "response_size": flow.response_size,
        "http_version": flow.http_version,
        "tls": None if flow.tls is None else {
            "sni": flow.tls.sni, "version": flow.tls.version, "alpn": flow.tls.alpn,
            "intercepted": flow.tls.intercepted, "error": flow.tls.error,
            "cert_org": flow.tls.cert_org, "cert_sans": list(flow.tls.cert_sans),
        },
        "origin": flow.origin,
        "kind": flow.kind,
        "server_ip": flow.server_ip,
        "error": flow.error,
        "source": flow.source,
        "cnames": list(flow.cnames),
        "body_encoding": flow.body_encoding,
    }


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise RecordError(f"{key} is not a string")
    return v


def _str(d: dict[str, Any], key: str, default: str) -> str:
    v = _opt_str(d, key)
    return default if v is None else v


def _opt_int(d: dict[str, Any], key: str) -> int | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise RecordError(f"{key} is not an integer")
    return v


def _opt_num(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise RecordError(f"{key} is not a number")
    return float(v)


def _str_list(d: dict[str, Any], key: str) -> list[str]:
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise RecordError(f"{key} is not a list of strings")
    return v


def _headers(d: dict[str, Any], key: str) -> list[tuple[str, str]]:
    v = d.get(key) or []
    if isinstance(v, dict):        # tolerate {name: value}
        v = list(v.items())
    if not isinstance(v, list):
        raise RecordError(f"{key} is not a list")
    out = []
    for item in v:
        if not (isinstance(item, (list, tuple)) and len(item) == 2
                and isinstance(item[0], str) and isinstance(item[1], str)):
            raise RecordError(f"{key} holds a bad header")
        out.append((item[0], item[1]))
    return out


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def flow_from_dict(d: Any) -> Flow:
    """A Flow from one JSONL object. Raises RecordError when the object is not a valid flow."""
    if not isinstance(d, dict):
        raise RecordError("record is not an object")
    fid, host = d.get("id"), d.get("host")
    if not isinstance(fid, str) or not fid or not isinstance(host, str):
        raise RecordError("record has no id or host")
    body_b64 = d.get("request_body") or ""
    if not isinstance(body_b64, str):
        raise RecordError("request_body is not a base64 string")
    try:
        body = base64.b64decode(body_b64, validate=True)
    except (binascii.Error, ValueError) as e:
        raise RecordError(f"request_body is not base64: {e}") from e
    headers = _headers(d, "request_headers")
    error = _opt_str(d, "error")
    # Writers store the body decoded; a body still compressed (another tool's JSONL) is decoded here, bounded.
    dec = decode_body(body, _header(headers, "content-encoding"), only_if_encoded=True)
    if dec.error and not error:
        error = dec.error
    tls = d.get("tls")
    tls_info = None
    if tls is not None:
        if not isinstance(tls, dict):
            raise RecordError("tls is not an object")
        intercepted = tls.get("intercepted", True)
        if not isinstance(intercepted, bool):
            raise RecordError("tls.intercepted is not a boolean")
        tls_info = TLSInfo(sni=_opt_str(tls, "sni"), version=_opt_str(tls, "version"),
                           alpn=_opt_str(tls, "alpn"), intercepted=intercepted, error=_opt_str(tls, "error"),
                           cert_org=_opt_str(tls, "cert_org"), cert_sans=_str_list(tls, "cert_sans"))
    port = _opt_int(d, "port")
    return Flow(
        id=fid, host=host, time=_opt_num(d, "time"), phase=_opt_str(d, "phase"),
        method=_str(d, "method", "GET"), scheme=_str(d, "scheme", "https"),
        port=443 if port is None else port, path=_str(d, "path", "/"), query=_str(d, "query", ""),
        request_headers=headers, request_body=dec.body, status=_opt_int(d, "status"),
        response_headers=_headers(d, "response_headers"), response_size=_opt_int(d, "response_size"),
        http_version=_opt_str(d, "http_version"), tls=tls_info, origin=_str(d, "origin", "proxy"),
        kind=_str(d, "kind", "http"), server_ip=_opt_str(d, "server_ip"), error=error,
        source=_opt_str(d, "source"), cnames=_str_list(d, "cnames"), body_encoding=_opt_str(d, "body_encoding"),
    )


def looks_like_flow_line(line: bytes) -> bool:
    """Sniffing: is this line a JSONL flow record?"""
    try:
        d = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(d, dict) and (d.get("schema") == FLOW_SCHEMA or ("id" in d and "host" in d and "log" not in d))


# the head of a line JsonlWriter wrote: the flow id can be read without parsing the line
_LINE_ID = re.compile(rb'\{"schema":' + re.escape(json.dumps(FLOW_SCHEMA).encode())
                      + rb',"id":("(?:[^"\\\n]|\\.){0,512}")')


def line_id(line: bytes) -> str | None:
    """The flow id of a line JsonlWriter wrote, read from its head; None for a line written otherwise."""
    m = _LINE_ID.match(line)
    if m is None:
        return None
    try:
        return json.loads(m[1])
    except ValueError:
        return None


def iter_jsonl(fp: IO[bytes], skipped: dict[str, int], only: frozenset[str] | None = None) -> Iterator[Flow]:
    """Flows from an open JSONL file; bad lines are counted in `skipped` by reason. With `only`, the lines whose
    head names another flow are passed over unparsed."""
    while True:
        line = fp.readline(MAX_LINE)
        if not line:
            return
        if len(line) >= MAX_LINE and not line.endswith(b"\n"):
            skipped["jsonl_line_too_long"] = skipped.get("jsonl_line_too_long", 0) + 1
            while line and not line.endswith(b"\n"):        # discard the rest of that line, a chunk at a time
                line = fp.readline(_DISCARD_CHUNK)
            continue
        if not line.strip():
            continue
        if only is not None and (fid := line_id(line)) is not None and fid not in only:
            continue
        try:
            d = json.loads(line)
        except (ValueError, RecursionError):
            skipped["bad_json_line"] = skipped.get("bad_json_line", 0) + 1
            continue
        line = b""                      # drop the raw line before the body is decoded (peak memory)
        try:
            yield flow_from_dict(d)
        except RecordError:
            skipped["bad_flow_record"] = skipped.get("bad_flow_record", 0) + 1


class JsonlWriter:
    """Appends flows to an hpa JSONL file, one line each, flushed as written (file mode 0600).

    `atomic=True` writes to a temporary file renamed over `path` on close (nothing visible before).
    """

    def __init__(self, path: str | Path, *, append: bool = False, atomic: bool = False):
        self.path = Path(path)
        self._atomic = atomic
        self._tmp: Path | None = None
        target = self.path
        if atomic:
            self._tmp = target = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append and not atomic else os.O_TRUNC)
        fd = os.open(target, flags, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        self._fp: IO[bytes] | None = os.fdopen(fd, "wb")
        self.count = 0

    def write(self, flow: Flow) -> None:
        if self._fp is None:
            raise ValueError("JsonlWriter is closed")
        # ensure_ascii: header values may carry undecodable bytes (surrogates); escaped they stay valid JSON.
        self._fp.write(json.dumps(flow_to_dict(flow), separators=(",", ":")).encode("ascii") + b"\n")
        self._fp.flush()
        self.count += 1

    def close(self) -> None:
        if self._fp is None:
            return
        fp, self._fp = self._fp, None
        fp.flush()
        os.fsync(fp.fileno())
        fp.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.path)

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- byte ranges: one file read by several processes (analyzer.parallel) -------------------------------------------
def jsonl_ranges(path: str | Path, n: int) -> list[tuple[int, int]]:
    """About `n` (start, end) byte ranges covering the file, each beginning on a line start, so no record is split."""
    size = Path(path).stat().st_size
    cuts = [0]
    with open(path, "rb") as fp:
        for i in range(1, n):
            fp.seek(size * i // n)
            fp.readline()                       # move to the start of the next line
            if cuts[-1] < fp.tell() < size:
                cuts.append(fp.tell())
    cuts.append(size)
    return list(zip(cuts, cuts[1:]))


def iter_jsonl_range(path: str | Path, start: int, end: int, skipped: dict[str, int]) -> Iterator[Flow]:
    """The flows of the lines from byte `start` to `end` (both line starts, from `jsonl_ranges`)."""

    class Range:                                # readline is all iter_jsonl uses
        def readline(self, limit: int = -1) -> bytes:
            left = end - fp.tell()
            return b"" if left <= 0 else fp.readline(left if limit < 0 else min(limit, left))

    with open(path, "rb") as fp:
        fp.seek(start)
        yield from iter_jsonl(Range(), skipped)  # type: ignore[arg-type]
