"""JSON Web Tokens: the payload (claims) is readable base64url JSON; the signature is not checked."""

from __future__ import annotations

import json
import re
from typing import Any

from .b64 import b64decode

_JWT_RE = re.compile(r"(?:[Bb]earer\s+)?(eyJ[A-Za-z0-9_-]{2,}=*)\.([A-Za-z0-9_-]{2,}=*)\.([A-Za-z0-9_-]*=*)")


def jwt_claims(text: str) -> dict[str, Any] | None:
    """The payload object of a JWT (optionally after `Bearer `), or None."""
    m = _JWT_RE.fullmatch(text.strip())
    if not m:
        return None
    raw = b64decode(m.group(2))
    if not raw:
        return None
    try:
        claims = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None
