"""`hpa export`: a captures folder as tables (flows, fields, data flows, findings) for researchers.

Each run folder (one holding report.json) contributes its flows (re-read from the capture), their decoded fields,
and the data flows and findings of its report. Tables are written atomically as Parquet or CSV.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from ..errors import InputError
from ..fsutil import atomic_write_bytes, atomic_write_text, is_partial, private_dir, read_json_input
from .redact import Redactor, redactor_for, redaction_key


def run_folders(root: Path) -> Iterator[Path]:
    """Every analyzed run below `root`, except those marked partial (killed or failed half-way)."""
    for report in sorted(root.rglob("report.json")):
        if not is_partial(report.parent):
            yield report.parent


def _tables(run: Path, root: Path, key: bytes | None) -> dict[str, list[dict[str, Any]]]:
    report = read_json_input(run / "report.json", "report")
    try:
        return _run_tables(report, run, root, key)
    except (KeyError, TypeError, AttributeError) as e:     # a report.json not written by hpa (or edited)
        raise InputError(run / "report.json", f"not an hpa.report/1 document ({e.__class__.__name__}: {e})") from None


def _run_tables(report: Any, run: Path, root: Path, key: bytes | None) -> dict[str, list[dict[str, Any]]]:
    from ..decode import decode_flow
    from ..traffic import open_capture

    if not isinstance(report, dict):
        raise TypeError("not a JSON object")
    r: Redactor | None = redactor_for(report, key) if key else None
    app_id = (report.get("app") or {}).get("id")
    rel = str(run.relative_to(root)) if run != root else "."
    base = {"app_id": app_id, "run": rel}
    contacts = {c["host"]: c for c in report.get("contacts", [])}
    flows, fields = [], []
    has_capture = any((run / n).exists() for n in ("flows.jsonl", "flows.mitm", "capture.pcap"))
    for flow in (open_capture(run) if has_capture else []):
        c = contacts.get(flow.host, {})
        url = r.url(flow.url) if r else flow.url
        host = r.host(flow.host) if r else flow.host
        domain = r.host(c["domain"]) if r and c.get("domain") else c.get("domain")
        flows.append({**base, "flow_id": flow.id, "time": flow.time, "phase": flow.phase, "origin": flow.origin,
                      "kind": flow.kind, "method": flow.method, "scheme": flow.scheme, "host": host,
                      "domain": domain, "party": c.get("party"), "entity": c.get("entity"),
                      "url": url, "status": flow.status, "http_version": flow.http_version,
                      "request_bytes": len(flow.request_body), "response_bytes": flow.response_size})
        if flow.kind in ("http", "websocket"):
            for f in decode_flow(flow).fields:
                fields.append({**base, "flow_id": flow.id, "host": host,
                               "location": r.location(f.location) if r else f.location,
                               "key": r.location(f.key) if r else f.key,
                               "value": r.value(f.value, f.location) if r else f.value})
    data_flows = []
    for df in report.get("data_flows", []):
        rec = df["recipient"]
        ev = (df.get("evidence") or [{}])[0]
        data_flows.append({**base, "data_type": df["data_type"], "details": "; ".join(df.get("details", [])),
                           "entity": rec.get("entity"), "domain": r.host(rec["domain"]) if r else rec["domain"],
                           "party": rec["party"],
                           "categories": "; ".join(rec.get("categories", [])), "consistency": df.get("consistency"),
                           "data_safety": df.get("data_safety"), "requests": df.get("evidence_count"),
                           "example_flow": ev.get("flow_id"),
                           "example_location": r.location(ev.get("location") or "") if r else ev.get("location"),
                           "example_excerpt": r.hash(ev.get("excerpt", "")) if r else ev.get("excerpt")})
    findings = [{**base, "kind": f["kind"], "severity": f["severity"],
                 "summary": r.text(f["summary"]) if r else f["summary"],
                 "evidence": len(f.get("evidence", [])), "verdict": (report.get("label") or {}).get("verdict")}
                for f in report.get("findings", [])]
    return {"flows": flows, "fields": fields, "data_flows": data_flows, "findings": findings}


def export_tables(captures_dir: str, fmt: str, output: str | None, redact: bool = False) -> dict[str, Path]:
    root = Path(captures_dir)
    if not root.is_dir():
        raise InputError(root, "not a folder (give the captures folder written by `hpa capture` or `hpa batch`)")
    runs = list(run_folders(root))
    if not runs:
        raise InputError(root, "no analyzed capture found (no report.json below it)")
    key = redaction_key() if redact else None
    tables: dict[str, list[dict[str, Any]]] = {"flows": [], "fields": [], "data_flows": [], "findings": []}
    for run in runs:
        for name, rows in _tables(run, root, key).items():
            tables[name] += rows
    if output and Path(output).exists() and not Path(output).is_dir():
        raise InputError(output, "exists and is not a folder (give a folder for the tables)")
    out = private_dir(output or root / "export")
    written = {}
    for name, rows in tables.items():
        df = pd.DataFrame(rows)
        if fmt == "csv":
            written[name] = atomic_write_text(out / f"{name}.csv", df.to_csv(index=False))
        else:
            buf = io.BytesIO()
            df.to_parquet(buf, index=False)
            written[name] = atomic_write_bytes(out / f"{name}.parquet", buf.getvalue())
    partial = sum(1 for r in root.rglob("report.json") if is_partial(r.parent))
    print(f"exported {len(runs)} run(s): " + ", ".join(f"{k} ({len(tables[k])} rows)" for k in tables) + f" -> {out}"
          + (f"; {partial} partial run(s) left out (killed or failed half-way: see their partial.json)" if partial else ""))
    return written
