"""`hpa export` over folders of `hpa analyze -o x.json` outputs: rows from the captures the reports read, and
valid typed tables (header row, Parquet schema) with a word on stderr when there is nothing to export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from tests.integration.cli import hpa
from tests.integration.conftest import APP_ID, Capture, capture, real_proxy  # noqa: F401

TABLES = ("flows", "fields", "data_flows", "findings")


def test_export_of_analyze_outputs(capture: Capture, tmp_path: Path) -> None:  # noqa: F811
    outs = tmp_path / "reports"
    outs.mkdir()
    dump = tmp_path / "study.dump"
    shutil.copyfile(capture.dump, dump)
    r = hpa("analyze", dump, "--app-id", APP_ID, "--format", "json", "-o", outs / "bloom.json")
    assert r.returncode == 0, r.stderr
    r = hpa("export", outs, "--format", "csv", "-o", tmp_path / "t")
    assert r.returncode == 0 and "nothing to export" not in r.stderr, r.stderr
    t = {n: pd.read_csv(tmp_path / "t" / f"{n}.csv") for n in TABLES}
    assert len(t["flows"]) == 4 and set(t["flows"]["run"]) == {"bloom.json"}
    meta = t["data_flows"][(t["data_flows"]["entity"] == "Meta") & (t["data_flows"]["data_type"] == "health_fitness.health")]
    assert list(meta["requests"]) == [1]          # one request carried it, however many fields


def test_nothing_to_export_gives_typed_empty_tables(tmp_path: Path) -> None:
    from mitmproxy.addons.savehar import SaveHar

    har = tmp_path / "empty.har"
    SaveHar().export_har([], str(har))
    outs = tmp_path / "reports"
    outs.mkdir()
    r = hpa("analyze", har, "--format", "json", "-o", outs / "empty.json")
    assert r.returncode == 0, r.stderr
    har.unlink()                                               # the capture is gone: nothing left to read
    for fmt in ("csv", "parquet"):
        r = hpa("export", outs, "--format", fmt, "-o", tmp_path / fmt)
        assert r.returncode == 0, r.stderr
        assert "nothing to export" in r.stderr and len(r.stderr.splitlines()) == 1
    for name in TABLES:
        csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        schema = pq.read_schema(tmp_path / "parquet" / f"{name}.parquet")
        assert list(csv.columns) == schema.names and len(schema.names) > 3, name
    flows = pq.read_schema(tmp_path / "parquet" / "flows.parquet")
    assert str(flows.field("time").type) == "double" and str(flows.field("status").type) == "int64"
    assert len(pd.read_csv(tmp_path / "csv" / "flows.csv")) == 0
