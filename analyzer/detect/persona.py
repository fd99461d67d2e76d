"""The test identity (hpa.persona/1): the device's identifiers and the values the tester typed into the app, looked
for verbatim in traffic. One dataclass, one loader (`load_persona`), one merge rule (`merge_personas`), used by capture
(persona.json, meta.json), analysis (the detector's known values) and redaction (the keys whose values are masked)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsutil import read_json_input
from ..model import PERSONA_SCHEMA

_STR_FIELDS = ("advertising_id", "android_id", "email", "phone", "name", "birth_date")
PERSONA_KEYS = (*_STR_FIELDS, "lat", "lon", "custom")     # every key of a persona that holds a personal value


@dataclass(slots=True)
class Persona:
    advertising_id: str | None = None
    android_id: str | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    birth_date: str | None = None      # ISO date, e.g. 1991-04-23
    lat: float | None = None
    lon: float | None = None
    custom: dict[str, str] = field(default_factory=dict)   # label -> value typed in the app (e.g. "weight": "63.5")

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, strict: bool = False) -> "Persona":
        """Build from a hpa.persona/1 object. Raises ValueError on a wrong type; unknown keys are an error only
        when `strict` (a hand-written file, where a typo would silently disable a check)."""
        if not isinstance(d, dict):
            raise ValueError("a persona must be a JSON object")
        schema = d.get("schema")
        if schema is not None and schema != PERSONA_SCHEMA:
            raise ValueError(f"schema is {schema!r}, expected {PERSONA_SCHEMA!r}")
        if strict:
            unknown = sorted(set(d) - set(PERSONA_KEYS) - {"schema", "notes", "description"})
            if unknown:
                raise ValueError(f"unknown key(s) {', '.join(unknown)} (put other values under \"custom\")")
        kw: dict[str, Any] = {}
        for k in _STR_FIELDS:
            v = d.get(k)
            if v is None or v == "":
                continue
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise ValueError(f"{k} must be a string")
            kw[k] = str(v).strip()
        for k in ("lat", "lon"):
            v = d.get(k)
            if v is None:
                continue
            if isinstance(v, bool):
                raise ValueError(f"{k} must be a number")
            try:
                f = float(v)
            except (TypeError, ValueError, OverflowError):     # OverflowError: an int too large for a float
                raise ValueError(f"{k} must be a number") from None
            limit = 90.0 if k == "lat" else 180.0
            if not math.isfinite(f) or abs(f) > limit:
                raise ValueError(f"{k} out of range: {v!r}")
            kw[k] = f
        if (kw.get("lat") is None) != (kw.get("lon") is None):
            raise ValueError("lat and lon go together")
        custom = d.get("custom") or {}
        if not isinstance(custom, dict):
            raise ValueError("custom must be an object of label -> value")
        clean: dict[str, str] = {}
        for label, v in custom.items():
            if isinstance(v, (dict, list)) or v is None:
                raise ValueError(f"custom.{label} must be a string or a number")
            clean[str(label)] = str(v)
        kw["custom"] = clean
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"schema": PERSONA_SCHEMA}
        d.update({k: v for k, v in asdict(self).items() if v not in (None, {}, "")})
        d["custom"] = dict(self.custom)          # always present: the place for other values, shown to the user
        return d

    def is_empty(self) -> bool:
        return not any(getattr(self, k) for k in _STR_FIELDS) and self.lat is None and not self.custom


def merge_personas(recorded: Persona | None, given: Persona | None) -> Persona | None:
    """The persona of an analysis: what the capture recorded (device identifiers read over adb, or the simulated
    app's identity) merged with the file given with --known-values. Every key of either is kept; on a conflict the
    recorded value wins, because it is the one the device had while the traffic was made (a file may be typed for
    another device or run); `custom` labels merge the same way. None when both are None."""
    if recorded is None or given is None:
        return recorded or given
    kw = {k: getattr(recorded, k) if getattr(recorded, k) not in (None, "") else getattr(given, k)
          for k in _STR_FIELDS}
    lat, lon = (recorded.lat, recorded.lon) if recorded.lat is not None else (given.lat, given.lon)
    return Persona(**kw, lat=lat, lon=lon, custom={**given.custom, **recorded.custom})


def load_persona(path: str | Path) -> Persona:
    """Read a hpa.persona/1 JSON file (--known-values); InputError when missing, unreadable or malformed."""
    try:
        return Persona.from_dict(read_json_input(path, "persona"), strict=True)
    except ValueError as e:
        raise InputError(path, f"bad persona: {e}") from None
