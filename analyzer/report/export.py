"""`hpa export`: a captures folder as tables (flows, fields, data flows, findings) for researchers.

Each run folder (one holding report.json) contributes its flows (re-read from the capture), their decoded fields,
and the data flows and findings of its report. Tables are written atomically as Parquet or CSV.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from ..errors import InputError
from ..fsutil import atomic_write_bytes, atomic_write_text, is_partial, private_dir, read_json_input
from .redact import Redactor, redactor_for, redaction_key


# every table's columns and types, so that an empty table still has its header row and a typed Parquet schema
SCHEMA: dict[str, dict[str, str]] = {
    "flows": {"app_id": "string", "run": "string", "flow_id": "string", "time": "Float64", "phase": "string",
              "origin": "string", "kind": "string", "method": "string", "scheme": "string", "host": "string",
              "domain": "string", "party": "string", "entity": "string", "url": "string", "status": "Int64",
              "http_version": "string", "request_bytes": "Int64", "response_bytes": "Int64"},
    "fields": {"app_id": "string", "run": "string", "flow_id": "string", "host": "string", "location": "string",
               "key": "string", "value": "string"},
    "data_flows": {"app_id": "string", "run": "string", "data_type": "string", "details": "string",
                   "entity": "string", "domain": "string", "party": "string", "categories": "string",
                   "consistency": "string", "data_safety": "string", "requests": "Int64", "example_flow": "string",
                   "example_location": "string", "example_excerpt": "string"},
    "findings": {"app_id": "string", "run": "string", "role": "string", "kind": "string", "severity": "string",
                 "summary": "string", "requests": "Int64", "verdict": "string"},
}
REPORT_SNIFF = 4096          # bytes read to tell an hpa.report/1 JSON written under another name


def report_files(root: Path) -> Iterator[Path]:
    """report.json of capture and batch folders, and any other JSON that is an hpa report (`hpa analyze -o x.json`).
    A run marked partial (killed or failed half-way) is left out."""
    for p in sorted(root.rglob("*.json")):
        if p.name == "report.json":
            if not is_partial(p.parent):
                yield p
        elif p.is_file():
            try:
                with open(p, "rb") as fp:
                    head = fp.read(REPORT_SNIFF)
            except OSError:
                continue
            if b'"hpa.report/1"' in head:
                yield p


def reports_below(root: Path) -> list[Path]:
    """The hpa reports below a folder; InputError when it is not a folder or holds none."""
    if not root.is_dir():
        raise InputError(root, "not a folder (give a capture run, or the captures folder of `hpa capture` or "
                               "`hpa batch`, or a folder of `hpa analyze` reports)")
    found = list(report_files(root))
    if not found:
        raise InputError(root, "no analyzed capture found (no report.json or other hpa report below it)")
    return found


def _tables(report_path: Path, root: Path, key: bytes | None) -> dict[str, list[dict[str, Any]]]:
    report = read_json_input(report_path, "report")
    try:
        return _run_tables(report, report_path, root, key)
    except (KeyError, TypeError, AttributeError) as e:     # a report.json not written by hpa (or edited)
        raise InputError(report_path, f"not an hpa.report/1 document ({e.__class__.__name__}: {e})") from None


def report_captures(report: dict[str, Any], run: Path) -> list[Path]:
    """The capture beside the report (capture folder), else the files the report says it read, where still there."""
    if any((run / n).exists() for n in ("flows.jsonl", "flows.mitm", "capture.pcap")):
        return [run]
    files = [Path(str(f.get("path") or "")) for f in (report.get("input") or {}).get("files") or []]
    return [f for f in files if str(f) and f.exists()]


def _run_tables(report: Any, report_path: Path, root: Path, key: bytes | None) -> dict[str, list[dict[str, Any]]]:
    from ..decode import decode_flow
    from ..traffic import open_capture

    if not isinstance(report, dict):
        raise TypeError("not a JSON object")
    run = report_path.parent
    r: Redactor | None = redactor_for(report, key) if key else None
    app_id = (report.get("app") or {}).get("id")
    rel = str(run.relative_to(root)) if run != root else "."
    if report_path.name != "report.json":
        rel = str(report_path.relative_to(root))
    base = {"app_id": app_id, "run": rel}
    contacts = {c["host"]: c for c in report.get("contacts", [])}
    flows, fields = [], []
    for flow in (f for c in report_captures(report, run) for f in open_capture(c)):
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
    verdict = (report.get("label") or {}).get("verdict")
    # the label's reasons (one per data flow) and the other findings, each once; `requests` counts requests
    findings = [{**base, "role": "reason", "kind": x["rule"], "severity": x.get("verdict"),
                 "summary": r.text(x["summary"]) if r else x["summary"],
                 "requests": len({e["flow_id"] for e in x.get("evidence", [])}), "verdict": verdict}
                for x in (report.get("label") or {}).get("reasons", [])]
    findings += [{**base, "role": "finding", "kind": f["kind"], "severity": f["severity"],
                  "summary": r.text(f["summary"]) if r else f["summary"],
                  "requests": len({e["flow_id"] for e in f.get("evidence", [])}), "verdict": verdict}
                 for f in report.get("findings", [])]
    return {"flows": flows, "fields": fields, "data_flows": data_flows, "findings": findings}


def export_tables(captures_dir: str, fmt: str, output: str | None, redact: bool = False) -> dict[str, Path]:
    root = Path(captures_dir)
    runs = reports_below(root)
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
        df = pd.DataFrame(rows, columns=list(SCHEMA[name])).astype(SCHEMA[name])
        if fmt == "csv":
            written[name] = atomic_write_text(out / f"{name}.csv", df.to_csv(index=False))
        else:
            buf = io.BytesIO()
            df.to_parquet(buf, index=False)
            written[name] = atomic_write_bytes(out / f"{name}.parquet", buf.getvalue())
    partial = sum(1 for r in root.rglob("report.json") if is_partial(r.parent))
    print(f"exported {len(runs)} run(s): " + ", ".join(f"{k} ({len(tables[k])} rows)" for k in tables) + f" -> {out}"
          + (f"; {partial} partial run(s) left out (killed or failed half-way: see their partial.json)" if partial else ""))
    if not (tables["flows"] or tables["data_flows"]):
        print(f"hpa: nothing to export: the {len(runs)} report(s) below {root} hold no data flows and no capture "
              "file of theirs is left to read; the tables are written with their header row only", file=sys.stderr)
    return written
