"""The run folder and its descriptive files: run id, meta.json (hpa.capture/1), persona.json (hpa.persona/1); and the
checks a meta.json passes when read back (written elsewhere, so hostile)."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..detect.persona import Persona
from ..errors import InputError
from ..fsutil import atomic_write_json, mark_partial, private_dir, read_json_input, sweep_stale_tmp

CAPTURE_SCHEMA = "hpa.capture/1"
MAX_META_DEPTH = 32     # hpa's own meta.json is 4 levels deep
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def new_run_id(now: float | None = None) -> str:
    t = time.gmtime(now if now is not None else time.time())
    return time.strftime("%Y%m%dT%H%M%SZ", t) + "-" + secrets.token_hex(3)


MAX_APP_FOLDER = 100    # bytes; a file name is at most 255, and a path must leave room for the run below it


def app_folder_name(app_id: str) -> str:
    """The folder an app's runs live in: the app id when it is a plain ASCII name of reasonable length; otherwise
    its safe characters, cut, plus a hash of the whole id, so two ids never share a folder and none escapes it."""
    safe = _SAFE.sub("_", app_id).strip(".")
    if safe == app_id and 0 < len(safe) <= MAX_APP_FOLDER:
        return safe
    digest = hashlib.sha256(app_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{safe[:MAX_APP_FOLDER - 13] or 'app'}-{digest}"


def run_folder(output: str | Path, app_id: str, run_id: str) -> Path:
    """`<output>/<app folder>/<run_id>/`, every level 0700 (an app id never escapes the output folder)."""
    run = private_dir(Path(output) / app_folder_name(app_id) / run_id)
    mark_partial(run, "the capture did not finish (killed or failed)")   # cleared by run_capture on success
    sweep_stale_tmp(run.parent, depth=1)     # a report half-written by an earlier, killed run of this app
    return run


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
    persona: Persona = field(default_factory=Persona)
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
            "phases": [p.to_dict() for p in self.phases], "device": self.device, "persona": self.persona.to_dict(),
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


def write_run_files(run_dir: Path, meta: RunMeta) -> None:
    atomic_write_json(run_dir / "persona.json", meta.persona.to_dict())
    atomic_write_json(run_dir / "meta.json", meta.to_dict())


# -- reading a capture's meta.json back ---------------------------------------------------------------------------
def load_capture_meta(paths: Iterable[Path]) -> dict[str, Any] | None:
    """The meta.json of the first capture folder among `paths`, checked; None when there is none."""
    for p in paths:
        meta = p / "meta.json" if p.is_dir() else None
        if meta and meta.is_file():
            d = read_json_input(meta, "capture metadata")
            problem = meta_problem(d)
            if problem:
                raise InputError(meta, f"bad capture metadata: {problem}")
            return d
    return None


def _json_depth(d: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(d, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def meta_problem(d: Any) -> str | None:
    """What is wrong with the shape of a meta.json, or None. Only the keys the analysis and the reports read are
    checked; others are carried along as they are."""
    if not isinstance(d, dict):
        return "not a JSON object"
    if _json_depth(d) > MAX_META_DEPTH:        # the report carries meta along; deep nesting would overflow the stack
        return f"nested deeper than {MAX_META_DEPTH} levels"
    try:                                        # JSON \ud800 escapes decode to lone surrogates, which cannot be written
        json.dumps(d, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "text that is not valid Unicode (a lone surrogate)"
    app = d.get("app")
    if app is not None:
        if not isinstance(app, dict):
            return "app is not an object"
        for k in ("id", "name"):
            if app.get(k) is not None and not isinstance(app[k], str):
                return f"app.{k} is not a string"
        fp = app.get("first_party_domains")
        if fp is not None and not (isinstance(fp, list) and all(isinstance(x, str) for x in fp)):
            return "app.first_party_domains is not a list of strings"
    dur = d.get("duration_s")
    if dur is not None and (isinstance(dur, bool) or not isinstance(dur, (int, float))):
        return "duration_s is not a number"
    phases = d.get("phases")
    if phases is not None and not (isinstance(phases, list) and all(isinstance(p, dict) for p in phases)):
        return "phases is not a list of objects"
    if d.get("persona"):
        try:
            Persona.from_dict(d["persona"])
        except ValueError as e:
            return f"persona: {e}"
    return None


def recorded_persona(meta: dict[str, Any] | None) -> Persona | None:
    """The persona a capture recorded (checked by `meta_problem`), or None."""
    return Persona.from_dict(meta["persona"]) if meta and meta.get("persona") else None
