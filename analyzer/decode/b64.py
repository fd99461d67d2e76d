"""base64 and base64url text: recognised only when long enough and not shaped like a hex id or UUID,
so identifiers are not turned into noise. The caller accepts the result only if it is JSON, text or protobuf."""

from __future__ import annotations

import binascii
import re

MIN_LEN = 16
_B64_RE = re.compile(r"[A-Za-z0-9+/\-_ ]+={0,2}")
_HEXISH_RE = re.compile(r"[0-9A-Fa-f\-]+")
_UUID_RE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")


def looks_base64(s: str) -> bool:
    if len(s) < MIN_LEN or _B64_RE.fullmatch(s) is None:
        return False
    if _HEXISH_RE.fullmatch(s) or _UUID_RE.search(s):   # hex digests, UUIDs (also prefixed), numbers: ids
        return False
    body = s.rstrip("=")
    return len(body) % 4 != 1


def b64decode(s: str) -> bytes | None:
    """Standard or url-safe alphabet, padding optional; `+` turned into space by form decoding is undone."""
    s = s.strip().replace(" ", "+")
    if "-" in s or "_" in s:
        s = s.replace("-", "+").replace("_", "/")
    s = s.rstrip("=")
    s += "=" * (-len(s) % 4)
    try:
        return binascii.a2b_base64(s, strict_mode=True)
    except (binascii.Error, ValueError):
        return None
