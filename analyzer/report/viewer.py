"""The request viewer of the HTML report: the requests the evidence cites, decoded again from the capture files the
report names, with the fields that carry data marked. Only those requests are read back and shown, each bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_REQUESTS = 200          # requests shown in one page
MAX_FIELDS = 150            # decoded fields shown per request
MAX_VALUE = 300             # characters of a field's value
BUDGET = 700_000            # characters of field text in one page: the report stays under 1.5 MB


@dataclass
class ShownField:
    location: str
    value: str
    marked: bool


@dataclass
class ShownRequest:
    anchor: str                     # the HTML id: flow ids may hold any character
    flow_id: str
    method: str
    url: str
    fields: list[ShownField] = field(default_factory=list)
    more_fields: int = 0


def evidence_locations(r: dict[str, Any]) -> dict[str, set[str]]:
    """flow id -> the field locations the report cites in it."""
    out: dict[str, set[str]] = {}
    items = [e for df in r.get("data_flows") or [] for e in df.get("evidence") or []]
    items += [e for x in (r.get("label") or {}).get("reasons") or [] for e in x.get("evidence") or []]
    for e in items:
        out.setdefault(str(e["flow_id"]), set()).add(e.get("location") or "")
    return out


def anchors(r: dict[str, Any]) -> dict[str, str]:
    """flow id -> its anchor in the page (req-1, req-2... in order of first citation)."""
    return {fid: f"req-{i}" for i, fid in enumerate(list(evidence_locations(r))[:MAX_REQUESTS], start=1)}


def shown_requests(r: dict[str, Any]) -> list[ShownRequest]:
    """The cited requests, decoded; [] for a redacted report (the viewer would show the values redaction hides)
    or when the capture files are no longer where the report read them."""
    from ..decode import decode_flow
    from ..errors import InputError
    from ..traffic import open_capture

    if r.get("redacted"):
        return []
    wanted = evidence_locations(r)
    ids = anchors(r)
    found: dict[str, ShownRequest] = {}
    budget = BUDGET
    for f in (r.get("input") or {}).get("files") or []:
        path = Path(str(f.get("path") or ""))
        if len(found) == len(ids) or not path.exists():
            continue
        try:
            for flow in open_capture(path).read_back([fid for fid in ids if fid not in found]):
                fields = decode_flow(flow).fields
                shown = [ShownField(x.location, x.value[:MAX_VALUE] + ("…" if len(x.value) > MAX_VALUE else ""),
                                    x.location in wanted[flow.id]) for x in fields]
                shown.sort(key=lambda s: not s.marked)          # the fields that matter first
                kept = []
                for s in shown[:MAX_FIELDS]:
                    budget -= len(s.location) + len(s.value)
                    if budget < 0 and not s.marked:
                        break
                    kept.append(s)
                found[flow.id] = ShownRequest(ids[flow.id], flow.id, flow.method, flow.url, kept,
                                              len(shown) - len(kept))
        except (InputError, OSError):
            continue
    return [found[fid] for fid in ids if fid in found]
