"""`hpa trackers import` reads Tracker Radar/TDS, Disconnect, hpa and CSV lists besides Exodus (written here from
each format's published shape), and what it imports is matched afterwards."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import InputError
from analyzer.recipients.kb import load_kb
from analyzer.report.trackers import cli_import

TDS = {"trackers": {
    "tinyads.example-ads.com": {"domain": "tinyads.example-ads.com", "owner": {"name": "Tiny Ads Ltd", "displayName": "Tiny Ads"},
                                "categories": ["Advertising", "Ad Motivated Tracking"]},
    "metrics.tinyads-cdn.net": {"domain": "metrics.tinyads-cdn.net", "owner": {"name": "Tiny Ads Ltd", "displayName": "Tiny Ads"},
                                "categories": ["Analytics"]},
    "graph.facebook.com": {"domain": "graph.facebook.com", "owner": {"name": "Facebook, Inc.", "displayName": "Facebook"}},
    "noowner.example": {"domain": "noowner.example"},
}, "entities": {}}

DISCONNECT = {"categories": {"Advertising": [{"Quiet Exchange": {"https://quietx.example/": ["quietx.io", "qx-serve.net"]}}],
                             "Analytics": [{"Countr": {"https://countr.example/": ["countr-stats.io", "not a host"]}}]}}

CSV = "domain,company,parent,country,categories\nmedsdk-ads.io,MedSDK,Health Holdings,de,Advertising\n" \
      "medsdk-log.io,MedSDK,,,Analytics\n,NoDomain,,,\n"


@pytest.mark.parametrize("name,content,fmt,host,entity,cats", [
    ("tds.json", json.dumps(TDS), "tracker-radar", "x.tinyads.example-ads.com", "Tiny Ads", {"advertising"}),
    ("services.json", json.dumps(DISCONNECT), "disconnect", "a.qx-serve.net", "Quiet Exchange", {"advertising"}),
    ("list.csv", CSV, "csv", "t.medsdk-ads.io", "MedSDK", {"advertising"}),
    ("hpa.json", json.dumps({"schema": "hpa.trackers/1", "companies": [
        {"entity": "Sleepy SDK", "parent": "Sleepy Group", "categories": ["analytics", "bogus"], "domains": ["sleepy-sdk.io"]}]}),
     "hpa", "api.sleepy-sdk.io", "Sleepy SDK", {"analytics"}),
])
def test_each_format_is_read_and_matched(tmp_path, capsys, name, content, fmt, host, entity, cats):
    src = tmp_path / name
    src.write_text(content)
    summary = cli_import(str(src))
    assert summary["format"] == fmt and f"({fmt} format)" in capsys.readouterr().out
    e = load_kb().match_host(host)
    assert e is not None and e.entity == entity and set(e.categories) == cats and e.origin == "overlay"


def test_tds_owner_that_is_a_known_company_merges_and_a_record_without_owner_is_skipped(tmp_path):
    src = tmp_path / "tds.json"
    src.write_text(json.dumps(TDS))
    s = cli_import(str(src))
    assert s["skipped"].get("tracker without owner or host") == 1
    kb = load_kb()
    assert kb.match_host("metrics.tinyads-cdn.net").entity == "Tiny Ads"
    assert kb.match_host("graph.facebook.com").entity == "Meta"       # Facebook's host stays Meta's


def test_csv_keeps_parent_and_country_and_skips_rows_without_a_host(tmp_path):
    src = tmp_path / "l.csv"
    src.write_text(CSV)
    s = cli_import(str(src))
    assert s["trackers"] == 2 and s["skipped"] == {"row without company or host": 1}
    e = load_kb().entity("MedSDK")
    assert (e.parent, e.country) == ("Health Holdings", "DE")
    assert set(e.domains) == {"medsdk-ads.io", "medsdk-log.io"}


def test_a_csv_without_the_columns_is_an_input_error(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("host,owner\na.io,A\n")
    with pytest.raises(InputError, match="'domain' and 'company' columns"):
        cli_import(str(src))
