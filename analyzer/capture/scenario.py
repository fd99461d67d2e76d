"""Simulator scenarios (hpa.scenario/1, documented in analyzer/data/capture/SCENARIOS.md): load and render to requests.

Rendering is pure: persona values and the clock are substituted (`${advertising_id}`, `${now}`), value transforms
(`{"$json": ...}`, `{"$base64json": ...}`, `{"$sha256": ...}`, `{"$base64": ...}`, `{"$number": ...}`) applied, and bodies encoded
(json, form, multipart, protobuf fields or hex, raw), gzip last.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..decode.protobuf import write_varint
from ..errors import InputError
from ..fsutil import read_json_input

SCENARIO_SCHEMA = "hpa.scenario/1"
PHASES = ("pre_consent", "interaction", "background")
_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))   # printable ASCII stays as written (incl. existing %XX)
_VAR = re.compile(r"\$\{([a-z_][a-z0-9_.]*)\}")


@dataclass(slots=True)
class Scenario:
    name: str
    app_id: str
    app_name: str
    description: str
    persona: dict[str, Any]
    phases: dict[str, list[dict[str, Any]]]   # phase -> raw request specs
    source: str = ""
    path: str = ""
    first_party_domains: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SimRequest:
    method: str
    url: str
    host: str
    port: int
    target: str                 # path + query
    headers: list[tuple[str, str]]
    body: bytes
    http2: bool = False
    label: str = ""             # what SDK call this stands for (for logs)
    meta: dict[str, Any] = field(default_factory=dict)


def scenarios_dir() -> Path:
    return Path(str(resources.files("analyzer") / "data" / "capture" / "scenarios"))


def list_scenarios() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.json"))


def load_scenario(name_or_path: str) -> Scenario:
    """A bundled scenario by name (`demo-basic`, `cycle`...) or a JSON file path."""
    p = Path(name_or_path)
    if not (p.suffix == ".json" and p.exists()):
        p = scenarios_dir() / f"{name_or_path}.json"
        if not p.is_file():
            raise InputError(name_or_path, f"unknown scenario (built-in: {', '.join(list_scenarios())})")
    d = read_json_input(p, "scenario")
    if not isinstance(d, dict) or d.get("schema") != SCENARIO_SCHEMA:
        raise InputError(p, f"not an {SCENARIO_SCHEMA} scenario")
    phases: dict[str, list[dict[str, Any]]] = {}
    for ph in d.get("phases", []):
        name = ph.get("name")
        if name not in PHASES or not isinstance(ph.get("requests", []), list):
            raise InputError(p, f"bad phase {name!r} (expected one of {', '.join(PHASES)} with a requests list)")
        phases.setdefault(name, []).extend(ph.get("requests", []))
    if not d.get("app_id") or not isinstance(d["app_id"], str):
        raise InputError(p, "scenario has no app_id (a string)")
    return Scenario(name=d.get("name", p.stem), app_id=d["app_id"], app_name=d.get("app_name", d["app_id"]),
                    description=d.get("description", ""), persona=d.get("persona", {}), phases=phases,
                    source=d.get("source", ""), path=str(p),
                    first_party_domains=[str(x) for x in d.get("first_party_domains", [])])


# --- rendering ---------------------------------------------------------------------------------------------------------
def _variables(persona: dict[str, Any], now: float, run_id: str) -> dict[str, str]:
    v = {k: str(x) for k, x in persona.items() if not isinstance(x, (dict, list))}
    for k, x in (persona.get("custom") or {}).items():
        v[f"custom.{k}"] = str(x)
    v.update(now=str(int(now)), now_ms=str(int(now * 1000)), run_id=run_id,
             uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, run_id)))
    return v


def _subst(s: str, var: dict[str, str]) -> str:
    def rep(m: re.Match[str]) -> str:
        if m.group(1) not in var:
            raise KeyError(m.group(1))
        return var[m.group(1)]
    return _VAR.sub(rep, s)


def render_value(x: Any, var: dict[str, str]) -> Any:
    """Substitute variables everywhere and apply `$` transforms (innermost first)."""
    if isinstance(x, str):
        return _subst(x, var)
    if isinstance(x, list):
        return [render_value(i, var) for i in x]
    if isinstance(x, dict):
        if len(x) == 1:
            (k, inner), = x.items()
            if k == "$json":
                return json.dumps(render_value(inner, var), separators=(",", ":"), ensure_ascii=False)
            if k == "$base64json":
                raw = json.dumps(render_value(inner, var), separators=(",", ":"), ensure_ascii=False)
                return base64.b64encode(raw.encode()).decode()
            if k == "$base64":
                return base64.b64encode(str(render_value(inner, var)).encode()).decode()
            if k == "$number":  # substituted text back to a JSON number (coordinates, scores)
                t = str(render_value(inner, var))
                return float(t) if any(c in t for c in ".eE") else int(t)
            if k == "$sha256":
                return hashlib.sha256(str(render_value(inner, var)).strip().lower().encode()).hexdigest()
        return {k: render_value(v, var) for k, v in x.items()}
    return x


# protobuf wire format (https://protobuf.dev/programming-guides/encoding/): enough to write test traffic
def encode_protobuf(fields: list[dict[str, Any]]) -> bytes:
    """Fields: {"field": N, one of "varint"|"string"|"bytes_hex"|"message"|"fixed64"|"double"}."""
    import struct
    out = bytearray()
    for f in fields:
        n = int(f["field"])
        if "varint" in f:
            out += write_varint(n << 3 | 0) + write_varint(int(f["varint"]))
        elif "fixed64" in f or "double" in f:
            raw = struct.pack("<d", float(f["double"])) if "double" in f else struct.pack("<q", int(f["fixed64"]))
            out += write_varint(n << 3 | 1) + raw
        else:
            if "string" in f:
                raw = str(f["string"]).encode()
            elif "bytes_hex" in f:
                raw = bytes.fromhex(f["bytes_hex"])
            elif "message" in f:
                raw = encode_protobuf(f["message"])
            else:
                raise ValueError(f"protobuf field {n}: no value")
            out += write_varint(n << 3 | 2) + write_varint(len(raw)) + raw
    return bytes(out)


def _multipart(parts: dict[str, Any], boundary: str) -> bytes:
    out = bytearray()
    for name, value in parts.items():
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode()
        out += str(value).encode() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def encode_body(spec: dict[str, Any] | None, headers: dict[str, str], run_id: str) -> bytes:
    """Encode a rendered body spec; sets content-type when the spec did not."""
    if not spec:
        return b""
    ctype = None
    if "json" in spec:
        body, ctype = json.dumps(spec["json"], separators=(",", ":"), ensure_ascii=False).encode(), "application/json"
    elif "form" in spec:
        body, ctype = urlencode(spec["form"]).encode(), "application/x-www-form-urlencoded"
    elif "multipart" in spec:
        boundary = "hpa" + hashlib.sha1(run_id.encode()).hexdigest()[:20]
        body, ctype = _multipart(spec["multipart"], boundary), f"multipart/form-data; boundary={boundary}"
    elif "protobuf" in spec:
        pb = spec["protobuf"]
        body = bytes.fromhex(pb["hex"]) if "hex" in pb else encode_protobuf(pb["fields"])
        ctype = "application/x-protobuf"
    elif "raw" in spec:
        body = str(spec["raw"]).encode()
        ctype = "text/plain"
    elif "raw_hex" in spec:
        body, ctype = bytes.fromhex(spec["raw_hex"]), "application/octet-stream"
    else:
        raise ValueError(f"unknown body kind: {sorted(spec)}")
    if ctype and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = ctype
    return body


def render_requests(sc: Scenario, phase: str, now: float, run_id: str) -> list[SimRequest]:
    var = _variables(sc.persona, now, run_id)
    out = []
    for i, raw in enumerate(sc.phases.get(phase, [])):
        try:
            r = render_value(raw, var)
            url = r["url"]
            u = urlsplit(url)
            if u.scheme != "https" or not u.hostname:
                raise ValueError(f"url must be https://host/...: {url}")
            headers = dict(r.get("headers", {}))
            body = encode_body(r.get("body"), headers, run_id)
            if r.get("gzip") and body:
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
            headers.setdefault("User-Agent", sc.persona.get("user_agent", f"Dalvik/2.1.0 (Linux; U; Android 14; {sc.app_id})"))
            # on the wire a path is ASCII: non-ASCII characters percent-encoded as UTF-8, as HTTP stacks do
            target = quote((u.path or "/") + (f"?{u.query}" if u.query else ""), safe=_URL_SAFE)
            out.append(SimRequest(method=r.get("method", "POST" if body else "GET").upper(), url=url,
                                  host=u.hostname, port=u.port or 443, target=target,
                                  headers=list(headers.items()), body=body, http2=bool(r.get("http2")),
                                  label=r.get("label", "")))
        except (KeyError, ValueError, TypeError) as e:
            raise InputError(sc.path, f"phase {phase} request {i}: {type(e).__name__}: {e}") from e
    return out
