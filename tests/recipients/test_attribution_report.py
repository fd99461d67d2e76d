"""End to end: flows written by hpa's JSONL writer, read back by `hpa analyze`, give contacts with
`attribution: {method, source}` in hpa.report/1, and an unknown ad exchange that received the advertising ID is
`advertising` (inferred) for the label rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.model import Flow
from analyzer.traffic.jsonl import JsonlWriter

ROOT = Path(__file__).resolve().parents[2]
AAID = "5c2a7f4e-8d1b-4c3a-9e2f-1a2b3c4d5e6f"


def _flows() -> list[Flow]:
    bid = json.dumps({"id": "r1", "imp": [{"id": "1", "banner": {"w": 320, "h": 50}}],
                      "app": {"bundle": "org.calm.tracker"}, "device": {"ifa": AAID, "os": "android"}}).encode()
    return [
        Flow(id="1", host="api.calm-tracker.example", method="POST", path="/v1/sync", time=1.0, origin="proxy",
             request_headers=[("Content-Type", "application/json")], request_body=b'{"mood":"low"}'),
        Flow(id="2", host="rtb.smallexchange-ads.io", method="POST", path="/openrtb2/auction", time=2.0, origin="proxy",
             request_headers=[("Content-Type", "application/json")], request_body=bid),
        Flow(id="3", host="ulog.umeng-mirror.cn", method="POST", path="/unify_logs", time=3.0, origin="proxy",
             request_headers=[("X-Umeng-Sdk", "Android/9.6.3"), ("Content-Type", "application/json")],
             request_body=json.dumps({"header": {"adid": AAID}}).encode()),
        Flow(id="4", host="ads.mopub.com", method="GET", path="/m/ad", query=f"udid=ifa%3A{AAID}", time=4.0, origin="proxy"),
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])      # 2: JSONL split across worker processes, clues merged
def test_report_contacts_carry_attribution_and_inferred_categories_reach_the_label(tmp_path, jobs):
    cap = tmp_path / "flows.jsonl"
    with JsonlWriter(cap) as w:
        for f in _flows():
            w.write(f)
    persona = tmp_path / "persona.json"
    persona.write_text(json.dumps({"schema": "hpa.persona/1", "advertising_id": AAID}))
    hpa = ROOT / ".venv/bin/hpa"
    cmd = [str(hpa)] if hpa.exists() else [sys.executable, "-m", "analyzer.cli"]
    r = subprocess.run([*cmd, "analyze", str(cap), "--app-id", "org.calm.tracker", "--first-party", "calm-tracker.example",
                        "--known-values", str(persona), "--format", "json", "--jobs", jobs],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    contacts = {c["host"]: c for c in rep["contacts"]}
    assert contacts["api.calm-tracker.example"]["attribution"] is None
    assert contacts["ads.mopub.com"]["attribution"]["method"] == "domain_list"
    umeng = contacts["ulog.umeng-mirror.cn"]
    assert (umeng["entity"], umeng["attribution"]["method"]) == ("Umeng", "sdk_fingerprint")
    ex = contacts["rtb.smallexchange-ads.io"]
    assert (ex["entity"], ex["domain"], ex["categories"]) == (None, "smallexchange-ads.io", ["advertising"])
    assert ex["attribution"]["method"] == "inferred"
    dfs = {(d["data_type"], d["recipient"]["entity"] or d["recipient"]["domain"]): d for d in rep["data_flows"]}
    assert dfs[("device_ids", "smallexchange-ads.io")]["recipient"]["categories"] == ["advertising"]
    assert dfs[("device_ids", "Umeng")]["recipient"]["party"] == "third"
    reasons = [x for x in rep["label"]["reasons"] if x["rule"] == "third_party_identifiers"]
    assert reasons and "2" in {e["flow_id"] for x in reasons for e in x["evidence"]}
