"""The run folder and its descriptive files: run id, meta.json (hpa.capture/1), persona.json (hpa.persona/1)."""

from __future__ import annotations

import json
import platform
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsutil import atomic_write_json, private_dir
from ..model import PERSONA_SCHEMA

CAPTURE_SCHEMA = "hpa.capture/1"
PERSONA_KEYS = ("advertising_id", "android_id", "email", "phone", "name", "birth_date", "lat", "lon")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def new_run_id(now: float | None = None) -> str:
    t = time.gmtime(now if now is not None else time.time())
    return time.strftime("%Y%m%dT%H%M%SZ", t) + "-" + secrets.token_hex(3)


def run_folder(output: str | Path, app_id: str, run_id: str) -> Path:
    """`<output>/<app_id>/<run_id>/`, every level 0700 (an app id never escapes the output folder)."""
    safe_app = _SAFE.sub("_", app_id).strip(".") or "unknown-app"
    root = private_dir(output)
    private_dir(root / safe_app)
    return private_dir(root / safe_app / run_id)


def iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")


@dataclass
class PhaseRecord:
    name: str
    start: float
    end: float | None = None
    planned_s: float | None = None
    requests: int | None = None          # simulated: requests the scenario played in this phase

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start, "end": self.end, "started_at": iso(self.start),
                "ended_at": iso(self.end), "planned_s": self.planned_s, "requests": self.requests}


@dataclass
class RunMeta:
    app_id: str
    run_id: str
    backend: str                          # simulate | device | avd | manual
    mode: str                             # proxy | wireguard
    simulated: bool = False
    sinkhole: bool = False
    app_name: str | None = None
    scenario: str | None = None
    start_time: float = field(default_factory=time.time)
    end_time: float | None = None
    phases: list[PhaseRecord] = field(default_factory=list)
    device: dict[str, Any] = field(default_factory=dict)
    persona: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    first_party_domains: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": CAPTURE_SCHEMA,
            "app": {"id": self.app_id, "name": self.app_name, "first_party_domains": self.first_party_domains},
            "app_id": self.app_id, "app_name": self.app_name, "run_id": self.run_id,
            "simulated": self.simulated, "scenario": self.scenario, "backend": self.backend, "mode": self.mode,
            "sinkhole": self.sinkhole, "start_time": self.start_time, "end_time": self.end_time,
            "started_at": iso(self.start_time), "ended_at": iso(self.end_time),
            "duration_s": None if self.end_time is None else round(self.end_time - self.start_time, 3),
            "phases": [p.to_dict() for p in self.phases], "device": self.device, "persona": self.persona,
            "coverage": self.coverage, "notes": self.notes, "tool": tool_versions(), "options": self.options,
        }


def tool_versions() -> dict[str, Any]:
    from .. import __version__
    out: dict[str, Any] = {"hpa": __version__, "python": platform.python_version()}
    try:
        from mitmproxy import version
        out["mitmproxy"] = version.VERSION
    except ImportError:
        out["mitmproxy"] = None
    try:
        import frida
        out["frida"] = frida.__version__
    except ImportError:
        out["frida"] = None
    return out


def persona_document(values: dict[str, Any]) -> dict[str, Any]:
    """hpa.persona/1: the known values of the test identity, as the detect room reads them."""
    doc: dict[str, Any] = {"schema": PERSONA_SCHEMA}
    for k in PERSONA_KEYS:
        if values.get(k) not in (None, ""):
            doc[k] = values[k]
    doc["custom"] = {str(k): v for k, v in (values.get("custom") or {}).items()}
    return doc


def load_known_values(path: str | None) -> dict[str, Any]:
    """The user's --known-values file (hpa.persona/1); InputError when unreadable or not a persona."""
    if not path:
        return {}
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(path, f"not a readable persona JSON: {e}") from e
    if not isinstance(d, dict) or d.get("schema", PERSONA_SCHEMA) != PERSONA_SCHEMA:
        raise InputError(path, f"not an {PERSONA_SCHEMA} document")
    return d


def merge_persona(*sources: dict[str, Any]) -> dict[str, Any]:
    """Later sources win for each known key; `custom` maps are merged."""
    out: dict[str, Any] = {"custom": {}}
    for s in sources:
        for k in PERSONA_KEYS:
            if s.get(k) not in (None, ""):
                out[k] = s[k]
        out["custom"].update(s.get("custom") or {})
    return out


def write_run_files(run_dir: Path, meta: RunMeta) -> None:
    atomic_write_json(run_dir / "persona.json", persona_document(meta.persona))
    atomic_write_json(run_dir / "meta.json", meta.to_dict())
