"""Value shapes of identifiers: UUID, Android ID, FID, IMEI (Luhn), hex digests, generic ids."""

from __future__ import annotations

import re

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HEX16 = re.compile(r"^[0-9a-fA-F]{13,16}$")
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
HEX_DIGEST = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")
FID = re.compile(r"^[c-f][A-Za-z0-9_-]{21}$")
DIGITS = re.compile(r"^\d{14,16}$")
ID = re.compile(r"^[^\s]{6,200}$")
_ZEROS = re.compile(r"^[0\-]+$")
_BOOLISH = frozenset({"true", "false", "null", "none", "nil", "undefined", "nan", "unknown", "n/a", "yes", "no",
                      "limited", "disabled", "enabled", "optout", "opt-out", "not_available", "unavailable"})


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_imei(v: str) -> bool:
    if not DIGITS.match(v) or _ZEROS.match(v):
        return False
    if len(v) == 15:
        return luhn_ok(v)
    return len(v) == 14 or (len(v) == 16 and luhn_ok(v[:15]))   # 14: no check digit; 16: IMEISV


def is_zero(v: str) -> bool:
    return bool(_ZEROS.match(v))


def check(shape: str, v: str) -> bool:
    """Does `v` look like an identifier of this shape? All-zero values (limit-ad-tracking) never do."""
    if not v or is_zero(v):
        return False
    if shape == "uuid":
        return bool(UUID.match(v))
    if shape == "hex16":
        return bool(HEX16.match(v)) and not v.isdigit()
    if shape == "hex32":
        return bool(HEX32.match(v))
    if shape == "fid":
        return bool(FID.match(v))
    if shape == "imei":
        return is_imei(v)
    if shape == "uuid_or_id" and UUID.match(v):
        return True
    if shape in ("id", "uuid_or_id"):
        return bool(ID.match(v)) and v.lower() not in _BOOLISH and not _looks_number_small(v)
    raise ValueError(f"unknown shape {shape!r}")


def _looks_number_small(v: str) -> bool:
    # counters and flags ("1", "42") are not identifiers; ID requires 6+ chars anyway, this catches "100000.0"
    try:
        return float(v) == 0.0
    except ValueError:
        return False
