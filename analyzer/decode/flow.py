"""decode_flow: one request -> its leaf fields, within the flow's budget."""

from __future__ import annotations

from ..model import Flow
from .b64 import b64decode
from .headers import cookies, informative_headers
from .limits import DECODER_ERROR, DEFAULT_LIMITS, MAX_DECODED_BYTES, MAX_DEPTH, BudgetExceeded, Decoded, Limits
from .query import label_repeats, parse_pairs, path_segments
from .walk import Walker

_ENCODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "br": "br", "zstd": "zstd"}


def decode_flow(flow: Flow, limits: Limits = DEFAULT_LIMITS) -> Decoded:
    """Every leaf of the request (path, query, headers, cookies, body) as a Field. Never raises on hostile input:
    what hits a bound is named in `bounds_hit` and the fields found until then are kept."""
    w = Walker(limits, flow.id)
    try:
        _walk_flow(w, flow)
    except BudgetExceeded as e:
        w.bound(e.bound)
    except RecursionError:   # belt and braces: nesting is bounded well below the interpreter limit
        w.bound(MAX_DEPTH)
    except Exception:        # a decoder bug must not stop the analysis of a capture; named so it is seen and fixed
        w.bound(DECODER_ERROR)
    return Decoded(w.fields, w.bounds)


def _walk_flow(w: Walker, flow: Flow) -> None:
    for i, seg in enumerate(path_segments(flow.path or "")):
        w.walk_text(seg, f"path[{i}]", "", 1)
    if flow.query:
        pairs = parse_pairs(flow.query, w.limits.max_fields)
        for (k, v), label in zip(pairs, label_repeats([k for k, _ in pairs])):
            w.walk_text(v, f"query.{label}", k, 1)
    headers = flow.request_headers or []
    hs = informative_headers(headers)
    for (name, value), label in zip(hs, label_repeats([n for n, _ in hs])):
        loc = f"header.{label}"
        if name in ("authorization", "proxy-authorization") and value[:6].lower() == "basic ":
            if _basic_auth(w, value[6:].strip(), loc, name):
                continue
        w.walk_text(value, loc, name, 1)
    cs = cookies(headers)
    for (name, value), label in zip(cs, label_repeats([n for n, _ in cs])):
        w.walk_text(value, f"cookie.{label}", name, 1)
    body = flow.request_body
    if body:
        data = memoryview(body)
        if len(data) > w.limits.max_decoded_bytes:
            # a huge body is examined up to the budget (a view, not a copy) and the cut is reported
            w.bound(MAX_DECODED_BYTES)
            data = data[: w.limits.max_decoded_bytes]
        ct = flow.header("content-type") or ""   # raw: the multipart boundary is case-sensitive
        ce = (flow.header("content-encoding") or "").lower().strip()
        w.walk_body(data, "body", ct, _ENCODINGS.get(ce), 1)


def _basic_auth(w: Walker, token: str, loc: str, name: str) -> bool:
    """`Basic base64(user:password)`: the user name is often an e-mail address."""
    raw = b64decode(token)
    if not raw:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    w.emit(f"{loc}|base64", name, text)
    return True
