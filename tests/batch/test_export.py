"""`hpa export` on a batch output: flows, fields, data flows and findings as tables that join."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.cli import hpa

from .conftest import DONE, BatchRun, needs_capture

pytestmark = needs_capture
TABLES = ("flows", "fields", "data_flows", "findings")
_EXPORTS: dict[tuple[str, bool], dict[str, pd.DataFrame]] = {}


def export(run: BatchRun, tmp: Path, fmt: str, redact: bool = False) -> dict[str, pd.DataFrame]:
    if (fmt, redact) not in _EXPORTS:
        dest = tmp / f"export-{fmt}-{redact}"
        r = hpa("export", run.out, "--format", fmt, "-o", dest, *(["--redact"] if redact else []), env=run.env)
        assert r.returncode == 0, r.stderr
        files = {t: dest / f"{t}.{fmt}" for t in TABLES}
        assert all(p.is_file() for p in files.values()), sorted(p.name for p in dest.iterdir())
        read = pd.read_parquet if fmt == "parquet" else pd.read_csv
        _EXPORTS[(fmt, redact)] = {t: read(p) for t, p in files.items()}
    return _EXPORTS[(fmt, redact)]


def personas(run: BatchRun) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in run.out.glob("*/*/persona.json")]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_four_tables_that_join(fmt: str, local_batch: BatchRun, tmp_path_factory: pytest.TempPathFactory) -> None:
    t = export(local_batch, tmp_path_factory.mktemp("export"), fmt)
    for name in TABLES:
        assert len(t[name]) > 0, name
    flows, fields, dfs, findings = (t[n] for n in TABLES)
    assert set(flows["app_id"]) == set(DONE)                 # the failed app has no capture to export
    flow_ids = set(flows["flow_id"])
    assert flows["flow_id"].is_unique
    assert set(fields["flow_id"]) <= flow_ids
    assert set(dfs["example_flow"].dropna()) <= flow_ids and dfs["example_flow"].notna().all()
    # every piece of evidence of every report points at an exported flow of the same run
    for app_id in DONE:
        res = local_batch.result(app_id)
        report = json.loads((local_batch.out / res["report_json"]).read_text(encoding="utf-8"))
        ev_ids = {e["flow_id"] for d in report["data_flows"] for e in d["evidence"]}
        run_flows = set(flows[(flows["app_id"] == app_id) & (flows["run"] == res["run_dir"])]["flow_id"])
        assert ev_ids <= run_flows and bool(ev_ids) == bool(report["data_flows"]), app_id
        assert (dfs["app_id"] == app_id).sum() == len(report["data_flows"])
        assert (findings["app_id"] == app_id).sum() == len(report["findings"]) + len(report["label"]["reasons"])
    joined = dfs.merge(flows, left_on=["app_id", "run", "example_flow"], right_on=["app_id", "run", "flow_id"],
                       suffixes=("", "_flow"))
    assert len(joined) == len(dfs)
    assert (joined["domain"] == joined["domain_flow"]).all()   # the example request went to that recipient
    meta = dfs[(dfs["entity"] == "Meta") & (dfs["data_type"] == "health_fitness.health")]
    assert len(meta) == 1 and meta.iloc[0]["app_id"] == DONE[0]


def test_csv_and_parquet_hold_the_same_rows(local_batch: BatchRun, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("export")
    pq, csv = export(local_batch, tmp, "parquet"), export(local_batch, tmp, "csv")
    for name in TABLES:
        assert len(pq[name]) == len(csv[name]), name
        assert list(pq[name].columns) == list(csv[name].columns), name


def test_redact_hides_field_values(local_batch: BatchRun, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("export")
    plain, red = export(local_batch, tmp, "parquet"), export(local_batch, tmp, "parquet", redact=True)
    secrets = {str(p[k]) for p in personas(local_batch) for k in ("advertising_id", "android_id", "email") if p.get(k)}
    assert secrets

    def cells(tables: dict[str, pd.DataFrame]) -> str:
        return "\n".join(df.astype(str).to_csv(index=False) for df in tables.values())

    assert any(s in cells(plain) for s in secrets)           # the check below could fail
    text = cells(red)
    for s in secrets:
        assert s not in text, s
    assert len(red["fields"]) == len(plain["fields"])
    # where stays (locations made of key names), what goes
    assert {"body.json.advertiserId", "path[0]"} <= set(red["fields"]["location"]) & set(plain["fields"]["location"])
    # only personal values go (issue 18): detected ones are hashed, the rest ("v3", "config") stays readable
    red_values, plain_values = red["fields"]["value"].astype(str), plain["fields"]["value"].astype(str)
    assert red_values.str.startswith("⟦").any() and (red_values == plain_values).any()
    assert list(red["flows"]["flow_id"]) == list(plain["flows"]["flow_id"])


def test_export_of_a_folder_without_reports_exits_2(tmp_path: Path) -> None:
    r = hpa("export", tmp_path, "--format", "csv")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and str(tmp_path) in r.stderr
