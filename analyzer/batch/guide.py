"""The batch outputs: results.csv and results.parquet (one row per app) and index.html, a guide in the spirit of
Mozilla's *Privacy Not Included*: label, companies reached, health data shared, broken promises, link to each report."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from ..fsutil import atomic_write_bytes, atomic_write_text
from ..report.html import render_template

COLUMNS = ["app_id", "name", "category", "status", "verdict", "reasons", "companies", "health_shared",
           "broken_promises", "third_party_data_flows", "data_flows", "flows", "simulated", "attempts",
           "duration_s", "error", "report_html", "report_json", "partial_capture"]


def results_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for r in results:
        row = {c: r.get(c) for c in COLUMNS}
        for c in ("reasons", "companies", "health_shared"):
            row[c] = "; ".join(r.get(c) or [])
        row["broken_promises"] = len(r.get("broken_promises") or [])
        rows.append(row)
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("third_party_data_flows", "data_flows", "flows", "attempts", "broken_promises"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df["duration_s"] = pd.to_numeric(df["duration_s"], errors="coerce")
    df["simulated"] = df["simulated"].astype("boolean")
    return df


def write_guide(results: list[dict[str, Any]], out: Path) -> Path:
    df = results_frame(results)
    atomic_write_text(out / "results.csv", df.to_csv(index=False))
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(out / "results.parquet", buf.getvalue())
    order = {"privacy_not_included": 0, "concerns": 1, "inconclusive": 2, "no_issues_observed": 3}
    apps = sorted(results, key=lambda r: (order.get(r.get("verdict") or "", 4), r.get("name") or r["app_id"]))
    html = render_template("guide.html.j2", apps=apps, counts=df["verdict"].value_counts().to_dict())
    return atomic_write_text(out / "index.html", html)
