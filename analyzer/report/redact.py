"""Redaction: personal values leave the report, their locations stay.

Each value is replaced by a keyed hash (HMAC-SHA256, 10 hex chars) so the same value can still be matched across
reports made with the same key, but not reversed. The key lives in the user's hpa home (0600), or HPA_REDACT_KEY.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fsutil import atomic_write_text, private_dir

_SAFE_SEGMENT = re.compile(r"^[A-Za-z_.\-]{1,40}$")


def hpa_home() -> Path:
    return Path(os.environ.get("HPA_HOME") or Path.home() / ".config" / "hpa")


def redaction_key() -> bytes:
    env = os.environ.get("HPA_REDACT_KEY")
    if env:
        return env.encode()
    path = hpa_home() / "redact.key"
    if not path.exists():
        private_dir(path.parent)
        atomic_write_text(path, secrets.token_hex(32))
    return path.read_text().strip().encode()


def keyed(value: str, key: bytes) -> str:
    return "⟦" + hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:10] + "⟧"


def redact_url(url: str, key: bytes) -> str:
    """Keep scheme, host and the plain words of the path; hash every other segment and the whole query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return keyed(url, key)
    segs = [s if (not s or _SAFE_SEGMENT.match(s)) else keyed(s, key) for s in parts.path.split("/")]
    q = f"?{keyed(parts.query, key)}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{'/'.join(segs)}{q}"


# A location names keys, and a key can be a value: {"users": {"<android id>": ...}}, a form field named by an email.
# Keep the segments that read as key names (letters, `_$-`, a short number); hash the rest.
_LOC_SPLIT = re.compile(r"([.|\[\]])")
_KEY_WORD = re.compile(r"^(?:[A-Za-z_$@][A-Za-z_$\-]{0,40}[0-9]{0,4}|[0-9]{1,6})$")
_HEXISH = re.compile(r"^[0-9A-Fa-f\-]{12,}$")


def redact_location(location: str, key: bytes) -> str:
    out = []
    for tok in _LOC_SPLIT.split(location):
        if not tok or _LOC_SPLIT.fullmatch(tok) or (_KEY_WORD.match(tok) and not _HEXISH.match(tok)):
            out.append(tok)
        else:
            out.append(keyed(tok, key))
    return "".join(out)


def _redact_evidence(ev: dict[str, Any], key: bytes) -> None:
    if ev.get("excerpt"):
        ev["excerpt"] = keyed(ev["excerpt"], key)
    if ev.get("url"):
        ev["url"] = redact_url(ev["url"], key)
    if ev.get("location"):
        ev["location"] = redact_location(ev["location"], key)


def redact_report(report: dict[str, Any], key: bytes | None = None) -> dict[str, Any]:
    """A copy of an hpa.report/1 dict with every captured personal value replaced by a keyed hash."""
    key = key or redaction_key()
    r = copy.deepcopy(report)
    for df in r.get("data_flows", []):
        for ev in df.get("evidence", []):
            _redact_evidence(ev, key)
    for f in r.get("findings", []):
        f["summary"] = f.get("summary", "")  # summaries name data types and companies, never values
        for ev in f.get("evidence", []):
            _redact_evidence(ev, key)
    for reason in (r.get("label") or {}).get("reasons", []):
        for ev in reason.get("evidence", []):
            _redact_evidence(ev, key)
    from ..detect.persona import PERSONA_KEYS     # here: the report room loads no detector to print a report

    cap = r.get("capture") or {}
    persona = cap.get("persona")
    if isinstance(persona, dict):
        for k in list(persona):
            if k in PERSONA_KEYS and persona[k] not in (None, "", {}):
                persona[k] = keyed(str(persona[k]), key)
    r["redacted"] = True
    return r
