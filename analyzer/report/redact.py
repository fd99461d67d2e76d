"""Redaction: personal values leave the report, everything else stays.

What goes: the persona's values (the test identity: recorded by the capture, or given with --known-values) and the
values hpa detected as personal, wherever they appear — evidence excerpts, inside host names (an Android ID as a
sub-domain), URL path segments and query values, JSON keys in a location (an e-mail used as a key), summaries and
the capture's metadata (failed-request URLs of a simulated run) — plus what is shaped like an identifier there (an
e-mail address, a UUID or a long hex id). What stays: field names, host names, paths and values that are none of
these, so a redacted report or table still says where and what.

Each value is replaced by a keyed hash (HMAC-SHA256, 10 hex chars) so the same value can still be matched across
reports made with the same key, but not reversed. The key lives in the user's hpa home (0600), or HPA_REDACT_KEY;
where it is is said once, when it is created.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, quote_plus, urlsplit

from ..fsutil import atomic_write_text, private_dir


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
        # said once: whoever shares redacted reports must know which key links them (and that deleting it unlinks)
        print(f"hpa: created the redaction key {path} (0600); reports redacted with it can be matched with each "
              "other; keep it private, delete it to stop that", file=sys.stderr)
    return path.read_text().strip().encode()


def keyed(value: str, key: bytes) -> str:
    return "⟦" + hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:10] + "⟧"


# Shapes that are identifiers whatever their key: e-mail addresses, UUIDs (advertising ID), long hex ids (Android ID,
# hashed e-mails). Applied where values hide (hosts, URLs, locations, metadata), not to hpa's own ids (flow ids).
_SHAPES = re.compile(
    r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,128})(?![0-9A-Za-z])")
_MARK = re.compile(r"⟦[0-9a-f]{10}⟧")
MIN_VALUE_LEN = 4          # shorter values ("1", "yes") are replaced only as whole fields, never inside text
# detections whose values identify the person (replaced wherever they appear, not only in their own field)
IDENTITY_TYPES = ("device_ids", "personal_info.", "location.")

# A location names keys, and a key can be a value: {"users": {"<android id>": ...}}, a form field named by an email.
# Keep the segments that read as key names (letters, `_$-`, a short number); hash the rest.
_LOC_SPLIT = re.compile(r"([.|\[\]])")
_KEY_WORD = re.compile(r"^(?:[A-Za-z_$@][A-Za-z_$\-]{0,40}[0-9]{0,4}|[0-9]{1,6})$")
_HEXISH = re.compile(r"^[0-9A-Fa-f\-]{12,}$")


@dataclass
class Redactor:
    """Replaces the personal values it knows, and identifier shapes, by keyed hashes."""

    key: bytes
    values: list[str] = field(default_factory=list)
    detected_locations: set[str] = field(default_factory=set)   # field locations that carried a detection
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _canon: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        forms: dict[str, str] = {}
        for v in self.values:
            if len(v) < MIN_VALUE_LEN:
                continue
            for form in {v, quote(v, safe=""), quote_plus(v), quote(v)}:
                forms.setdefault(form.lower(), v)
        if forms:
            alts = sorted(forms, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(a) for a in alts), re.IGNORECASE)
            self._canon = forms

    def hash(self, value: str) -> str:
        return keyed(value, self.key)

    def known(self, text: str) -> str:
        """`text` with every known personal value (any case, URL-encoded) replaced."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: self.hash(self._canon.get(m.group(0).lower(), m.group(0))), text)

    def text(self, text: str) -> str:
        """Known values, then identifier shapes (not inside a hash already made)."""
        out = self.known(text)
        parts = _MARK.split(out)
        marks = _MARK.findall(out)
        parts = [_SHAPES.sub(lambda m: self.hash(m.group(0)), p) for p in parts]
        return "".join(p + (marks[i] if i < len(marks) else "") for i, p in enumerate(parts))

    def host(self, host: str) -> str:
        return ".".join(self.text(label) for label in host.split("."))

    def url(self, url: str) -> str:
        """Scheme, host and path kept but for the personal values in them; query values hashed when hpa detected
        personal data there, else cleaned like any text."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.hash(url)
        netloc = self.host(parts.netloc)
        path = "/".join(self.text(s) for s in parts.path.split("/"))
        query = "&".join(self._query_item(item) for item in parts.query.split("&")) if parts.query else ""
        return f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "") + (
            f"#{self.text(parts.fragment)}" if parts.fragment else "")

    def _query_item(self, item: str) -> str:
        k, eq, v = item.partition("=")
        if not eq:
            return self.text(item)
        if f"query.{k}" in self.detected_locations:
            return f"{self.text(k)}={self.hash(v)}"
        return f"{self.text(k)}={self.text(v)}"

    def location(self, location: str) -> str:
        # known values first, on the whole location: a key holding dots ("jane.doe@x.org") spans several segments
        out = []
        for tok in _LOC_SPLIT.split(self.known(location)):
            if (not tok or _LOC_SPLIT.fullmatch(tok) or _MARK.fullmatch(tok)
                    or (_KEY_WORD.match(tok) and not _HEXISH.match(tok))):
                out.append(tok)
            else:
                out.append(self.hash(tok))
        return "".join(out)

    def value(self, value: str, location: str) -> str:
        """A field's value: hashed whole where hpa detected personal data, else only the personal values in it."""
        if location in self.detected_locations:
            return self.hash(value)
        return self.text(value)

    def walk(self, obj: Any, shapes: bool = False) -> Any:
        """Every string and mapping key below `obj` cleaned (known values; with `shapes`, identifier shapes too)."""
        clean = self.text if shapes else self.known
        if isinstance(obj, str):
            return clean(obj)
        if isinstance(obj, list):
            return [self.walk(x, shapes) for x in obj]
        if isinstance(obj, dict):
            return {(clean(k) if isinstance(k, str) else k): self.walk(v, shapes) for k, v in obj.items()}
        return obj


def _persona_values(persona: Any) -> list[str]:
    from ..detect.persona import PERSONA_KEYS     # here: the report room loads no detector to print a report

    out: list[str] = []
    if not isinstance(persona, dict):
        return out
    for k in PERSONA_KEYS:
        v = persona.get(k)
        if isinstance(v, dict):
            out += [str(x) for x in v.values() if x not in (None, "")]
        elif v not in (None, ""):
            out.append(str(v))
    return out


def _evidence(report: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for df in report.get("data_flows") or []:
        for ev in df.get("evidence") or []:
            yield str(df.get("data_type", "")), ev


def _detected_value(excerpt: str) -> str:
    """The value of an evidence excerpt (`key=value`, clipped with …)."""
    value = excerpt.split("=", 1)[1] if "=" in excerpt else excerpt
    return value[:-1] if value.endswith("…") else value


def redactor_for(report: dict[str, Any], key: bytes | None = None, known_values: Any = None) -> Redactor:
    """A Redactor knowing the report's persona (and --known-values), and the personal values it detected."""
    values = _persona_values(known_values) + _persona_values((report.get("capture") or {}).get("persona"))
    locations = set()
    for data_type, ev in _evidence(report):
        if ev.get("location"):
            locations.add(ev["location"])
        if ev.get("excerpt") and data_type.startswith(IDENTITY_TYPES):
            values.append(_detected_value(ev["excerpt"]))
    return Redactor(key or redaction_key(), sorted(set(values)), locations)


def _redact_evidence(ev: dict[str, Any], r: Redactor) -> None:
    if ev.get("excerpt"):
        ev["excerpt"] = r.hash(ev["excerpt"])
    if ev.get("url"):
        ev["url"] = r.url(ev["url"])
    if ev.get("location"):
        ev["location"] = r.location(ev["location"])


def _hosts(items: Any, r: Redactor) -> Any:
    return [r.host(h) if isinstance(h, str) else h for h in items] if isinstance(items, list) else items


def redact_report(report: dict[str, Any], key: bytes | None = None, known_values: Any = None) -> dict[str, Any]:
    """A copy of an hpa.report/1 dict with every personal value replaced by a keyed hash."""
    r = redactor_for(report, key, known_values)
    d = copy.deepcopy(report)
    for df in d.get("data_flows", []):
        for ev in df.get("evidence", []):
            _redact_evidence(ev, r)
        rec = df.get("recipient") or {}
        if isinstance(rec.get("domain"), str):
            rec["domain"] = r.host(rec["domain"])
    for f in [*d.get("findings", []), *(d.get("label") or {}).get("reasons", [])]:
        f["summary"] = r.text(f.get("summary") or "")
        for ev in f.get("evidence", []):
            _redact_evidence(ev, r)
    for c in d.get("contacts", []):
        for k in ("host", "domain"):
            if isinstance(c.get(k), str):
                c[k] = r.host(c[k])
    cov = d.get("coverage") or {}
    for k in ("failed_tls_hosts", "pcap_only_hosts"):
        cov[k] = _hosts(cov.get(k), r)
    cap = d.get("capture")
    if isinstance(cap, dict):
        persona = cap.get("persona")
        if isinstance(persona, dict):
            for k, v in persona.items():
                if k not in ("schema",) and v not in (None, "", {}):
                    persona[k] = r.hash(str(v))
        d["capture"] = r.walk(cap, shapes=True)     # failed-request URLs, device names, notes
    d = r.walk(d)                                   # a known value anywhere else (a key, a summary, a policy excerpt)
    d["redacted"] = True
    return d

