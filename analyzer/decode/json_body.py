"""JSON documents, NDJSON and Sentry envelopes (newline-delimited items, some with a byte `length`).

Python's json parser recurses: input nested deeper than the interpreter allows raises RecursionError, which is
caught here and reported as too deep instead of crashing the analysis.
"""

from __future__ import annotations

import json
from typing import Any

TOO_DEEP = "too_deep"
INVALID = "invalid"

_loads = json.loads


def loads(text: str | bytes) -> tuple[Any, str | None]:
    """(value, None) or (None, TOO_DEEP | INVALID)."""
    try:
        return _loads(text), None
    except RecursionError:
        return None, TOO_DEEP
    except (ValueError, TypeError):
        return None, INVALID


def loads_container(text: str) -> tuple[Any, str | None]:
    """Like `loads`, but only an object or array counts (a bare number or string is not a JSON document here)."""
    s = text.strip()
    if not s or s[0] not in "{[" or s[-1] not in "}]":
        return None, INVALID
    value, err = loads(s)
    if err:
        return None, err
    return value, None


def split_items(data: bytes, max_items: int) -> list[tuple[Any, bytes | None]] | None:
    """NDJSON or a Sentry envelope as a list of (parsed JSON | None, raw bytes when not JSON).

    None when the body is not line-delimited JSON (the first line must be a JSON object or array).
    An item header with an integer `length` (Sentry) makes the next `length` bytes its payload, whatever they hold.
    """
    items: list[tuple[Any, bytes | None]] = []
    n = len(data)
    pos = 0
    pending_length: int | None = None
    while pos < n and len(items) < max_items:
        if pending_length is not None:
            end = min(pos + pending_length, n)
            chunk = data[pos:end]
            pos = end + 1 if end < n and data[end:end + 1] == b"\n" else end
            pending_length = None
        else:
            nl = data.find(b"\n", pos)
            end = n if nl < 0 else nl
            chunk = data[pos:end].rstrip(b"\r")
            pos = end + 1
            if not chunk.strip():
                continue
        value, err = loads(chunk)
        if err is None and isinstance(value, (dict, list)):
            items.append((value, None))
            if isinstance(value, dict) and isinstance(value.get("length"), int) and "type" in value \
                    and value["length"] >= 0:
                pending_length = value["length"]
        else:
            if not items:
                return None
            items.append((None, chunk))
    if len(items) < 2:
        return None
    return items
