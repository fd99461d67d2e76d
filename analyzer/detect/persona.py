"""The test identity (hpa.persona/1): values the tester typed into the app, looked for verbatim in traffic."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import PERSONA_SCHEMA

_STR_FIELDS = ("advertising_id", "android_id", "email", "phone", "name", "birth_date")
_ALL_FIELDS = (*_STR_FIELDS, "lat", "lon", "custom")


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
            unknown = sorted(set(d) - set(_ALL_FIELDS) - {"schema", "notes", "description"})
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
        d = {"schema": PERSONA_SCHEMA}
        d.update({k: v for k, v in asdict(self).items() if v not in (None, {}, "")})
        return d

    def is_empty(self) -> bool:
        return not any(getattr(self, k) for k in _STR_FIELDS) and self.lat is None and not self.custom


def load_persona(path: str | Path) -> Persona:
    """Read a hpa.persona/1 JSON file; InputError when missing, unreadable or malformed."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(p, f"cannot read persona: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(p, f"not valid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise InputError(p, "not a persona: JSON nested too deep") from None
    try:
        return Persona.from_dict(data, strict=True)
    except ValueError as e:
        raise InputError(p, f"bad persona: {e}") from None
