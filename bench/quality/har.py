"""A HAR 1.2 capture under construction, with its ground truth beside each entry."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .wire import b64

TRUTH_SCHEMA = "hpa.truth/1"
DATA_CLASSES = ("health", "fitness", "device_ids", "email", "phone", "name", "location")


@dataclass(slots=True)
class Label:
    data_class: str        # one of DATA_CLASSES
    details: str           # e.g. advertising_id, pregnancy, email_sha256
    location: str          # hint in hpa's location syntax (DESIGN.md); scoring does not depend on it


@dataclass(slots=True)
class Trap:
    kind: str              # asset_path | content_feed | config_flag | ab_test | sdk_version | uuid | request_id | timestamp | package_name | crash_message
    note: str
    not_classes: list[str] = field(default_factory=list)


@dataclass
class Capture:
    rng: random.Random
    start: dt.datetime
    user_agent: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    labels: list[tuple[int, str, Label]] = field(default_factory=list)
    traps: list[tuple[int, str, Trap]] = field(default_factory=list)
    _clock_ms: int = 0

    def now_ms(self) -> int:
        return int(self.start.timestamp() * 1000) + self._clock_ms

    def add(self, method: str, url: str, *, headers: list[tuple[str, str]] | None = None,
            body: bytes | str | None = None, mime: str | None = None, labels: list[Label] | None = None,
            traps: list[Trap] | None = None, content_encoding: str | None = None,
            user_agent: str | None = None, status: int = 200) -> int:
        """Append one request; returns its entry index. Every entry gets a distinct millisecond start time."""
        self._clock_ms += self.rng.randint(35, 2400)
        when = self.start + dt.timedelta(milliseconds=self._clock_ms)
        parts = urlsplit(url)
        raw = body.encode("utf-8") if isinstance(body, str) else body
        hdrs: list[tuple[str, str]] = [("Host", parts.netloc), ("User-Agent", user_agent or self.user_agent)]
        hdrs += headers or []
        if raw is not None:
            if mime:
                hdrs.append(("Content-Type", mime))
            if content_encoding:
                hdrs.append(("Content-Encoding", content_encoding))
            hdrs.append(("Content-Length", str(len(raw))))
        hdrs += [("Accept-Encoding", "gzip"), ("Connection", "Keep-Alive")]
        request: dict[str, Any] = {
            "method": method, "url": url, "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": [{"name": k, "value": v} for k, v in hdrs],
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)],
            "headersSize": -1, "bodySize": len(raw) if raw is not None else 0,
        }
        for k, v in hdrs:
            if k.lower() == "cookie":
                request["cookies"] = [{"name": c.split("=", 1)[0].strip(), "value": c.split("=", 1)[1]}
                                      for c in v.split(";") if "=" in c]
        if raw is not None:
            post: dict[str, Any] = {"mimeType": mime or ""}
            text = None
            if not content_encoding:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
            if text is not None:
                post["text"] = text
            else:   # binary or still content-encoded: base64, as HTTP Toolkit / PCAPdroid exports do
                post["text"] = b64(raw)
                post["encoding"] = "base64"
            request["postData"] = post
        idx = len(self.entries)
        self.entries.append({
            "startedDateTime": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "time": self.rng.randint(20, 400),
            "request": request,
            "response": {"status": status, "statusText": "OK" if status == 200 else "", "httpVersion": "HTTP/1.1",
                         "cookies": [], "headers": [{"name": "Content-Type", "value": "application/json"}],
                         "content": {"size": 2, "mimeType": "application/json", "text": "{}"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 2},
            "cache": {},
            "timings": {"send": 1, "wait": 30, "receive": 2},
            "serverIPAddress": f"203.0.113.{self.rng.randint(2, 250)}",
        })
        for lab in labels or []:
            self.labels.append((idx, url, lab))
        for trap in traps or []:
            self.traps.append((idx, url, trap))
        return idx

    def har(self) -> dict[str, Any]:
        return {"log": {"version": "1.2", "creator": {"name": "hpa-bench-generator", "version": "1"},
                        "pages": [], "entries": self.entries}}

    def truth(self, capture_file: str, app: dict[str, Any]) -> dict[str, Any]:
        return {
            "schema": TRUTH_SCHEMA,
            "capture": capture_file,
            "app": app,
            "entries": len(self.entries),
            "labels": [{"entry": i, "url": u, "data_class": lab.data_class, "details": lab.details,
                        "location": lab.location} for i, u, lab in self.labels],
            "traps": [{"entry": i, "url": u, "kind": t.kind, "note": t.note, "not": t.not_classes}
                      for i, u, t in self.traps],
        }
