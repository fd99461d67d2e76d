"""Location: latitude/longitude pairs (two sibling fields, or one "lat,lon" string), precise from 3 decimals."""

from __future__ import annotations

import re

LATLON_STRING = re.compile(r"^\s*\(?(-?\d{1,2}(?:\.(\d+))?)\s*[,; ]\s*(-?\d{1,3}(?:\.(\d+))?)\)?\s*$")
NUMBER = re.compile(r"^-?\d{1,3}\.(\d+)$|^-?\d{1,3}$")


def decimals(v: str) -> int:
    i = v.find(".")
    return 0 if i < 0 else len(v) - i - 1


def parse_coord(v: str, limit: float) -> tuple[float, int] | None:
    v = v.strip()
    if not NUMBER.match(v):
        return None
    f = float(v)
    if abs(f) > limit:
        return None
    return f, decimals(v)


def precision(dec: int) -> str:
    """Data type by the decimals sent: 3 decimals is ~100 m (precise); fewer is a town or region."""
    return "location.precise" if dec >= 3 else "location.approximate"


def parse_pair_string(v: str) -> tuple[float, int, float, int] | None:
    m = LATLON_STRING.match(v)
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(3))
    if abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    return lat, len(m.group(2) or ""), lon, len(m.group(4) or "")
