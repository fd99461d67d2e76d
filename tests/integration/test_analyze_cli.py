"""`hpa analyze` end to end, run as a user runs it, on a dump and a HAR written by mitmproxy itself."""

from __future__ import annotations

import re

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.model import DATA_TYPES
from analyzer.traffic import open_capture

from .conftest import AAID, ANDROID_ID, APP_ID, EMAIL, FB_APP, FIRST_PARTY, Capture, hpa

BASE = ("--app-id", APP_ID, "--first-party", FIRST_PARTY)
VERDICTS = {"privacy_not_included", "concerns", "no_issues_observed", "inconclusive"}


def analyze_json(*args: str | Path) -> dict[str, Any]:
    r = hpa("analyze", *args, *BASE, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def third_party(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["data_type"], d["recipient"]["entity"]): d for d in report["data_flows"]
            if d["recipient"]["party"] == "third"}


def flow_key(d: dict[str, Any]) -> tuple:
    """What must not depend on how the analysis was split: the data flow, its details, how many requests and where."""
    r = d["recipient"]
    return (d["data_type"], r["entity"], r["domain"], r["party"], tuple(sorted(d["details"])), d.get("evidence_count"),
            tuple(sorted({(e["location"], e["method"]) for e in d["evidence"]})))


_REPORT: dict[str, dict[str, Any]] = {}


@pytest.fixture
def report(capture: Capture) -> dict[str, Any]:
    """The plain report of the dump, computed once (tests only read it)."""
    if "r" not in _REPORT:
        _REPORT["r"] = analyze_json(capture.dump)
    return _REPORT["r"]


def test_json_follows_the_report_contract(report: dict[str, Any], capture: Capture) -> None:
    assert report["schema"] == "hpa.report/1"
    for key in ("app", "input", "contacts", "data_flows", "findings", "label", "coverage"):
        assert key in report, key
    assert report["app"]["id"] == APP_ID
    inp = report["input"]
    assert inp["flows_read"] == 4 and inp["records_skipped"] == 0
    assert [f["format"] for f in inp["files"]] == ["mitm"] and inp["files"][0]["path"].endswith("flows.dump")

    hosts = {c["host"]: c for c in report["contacts"]}
    assert set(hosts) == {"app.adjust.com", "graph.facebook.com", f"api.{FIRST_PARTY}"}
    for c in hosts.values():
        assert {"host", "domain", "party", "entity", "categories"} <= set(c)
        assert c["party"] in {"first", "third", "unknown", "service_provider"} and isinstance(c["categories"], list)
    assert (hosts["graph.facebook.com"]["domain"], hosts["graph.facebook.com"]["entity"]) == ("facebook.com", "Meta")
    assert (hosts["app.adjust.com"]["domain"], hosts["app.adjust.com"]["entity"]) == ("adjust.com", "Adjust")
    assert hosts["graph.facebook.com"]["party"] == hosts["app.adjust.com"]["party"] == "third"
    assert hosts[f"api.{FIRST_PARTY}"]["party"] == "first"

    assert report["data_flows"]
    for d in report["data_flows"]:
        assert d["data_type"] in DATA_TYPES
        assert {"data_type", "details", "recipient", "consistency", "data_safety", "evidence"} <= set(d)
        assert {"entity", "domain", "party", "categories"} <= set(d["recipient"])
        assert d["consistency"] is None and d["data_safety"] is None      # no policy, no form given
        assert d["evidence"]
        for e in d["evidence"]:
            assert {"flow_id", "location", "excerpt", "method"} <= set(e)
            assert e["flow_id"] in capture.mitm_ids, "evidence must point at a flow of the dump"

    assert report["findings"] == []       # nothing refused or bypassed; the judgements are the label's reasons
    label = report["label"]
    assert label["verdict"] in VERDICTS and label["reasons"]
    for r in label["reasons"]:
        assert {"rule", "verdict", "summary", "evidence", "also"} <= set(r) and r["evidence"]
    keys = [(d["data_type"], d["recipient"]["entity"]) for d in report["data_flows"]]
    flow_reasons = [r for r in label["reasons"] if r["rule"] != "ad_id_bridging"]     # bridging: per company
    assert len({r["summary"] for r in label["reasons"]}) == len(label["reasons"]) and len(flow_reasons) <= len(keys)
    cov = report["coverage"]
    assert cov["http_flows"] == 4 and cov["intercepted_tls"] == 4 and cov["failed_tls"] == 0
    assert cov["phases"] == {"pre_consent": 1, "interaction": 3}


def test_the_right_data_flows_with_evidence(report: dict[str, Any], capture: Capture) -> None:
    flows = third_party(report)
    health = [k for k in flows if k[0].startswith("health_fitness.")]
    assert health == [("health_fitness.health", "Meta")]
    h = flows[("health_fitness.health", "Meta")]
    assert "pregnancy" in h["details"]
    activities = f"POST graph.facebook.com/v16.0/{FB_APP}/activities"
    assert {capture.mitm_ids[e["flow_id"]] for e in h["evidence"]} == {activities}
    assert any(e["location"].startswith("body.multipart.custom_events") and "pregnancy_confirmed" in e["excerpt"]
               for e in h["evidence"])
    for company, where, flow in (("Meta", "body.multipart.advertiser_id", activities),
                                 ("Adjust", "body.form.gps_adid", "POST app.adjust.com/session")):
        ids = flows[("device_ids", company)]
        assert "advertising_id" in ids["details"]
        [ev] = [e for e in ids["evidence"] if e["location"] == where]
        assert AAID in ev["excerpt"] and capture.mitm_ids[ev["flow_id"]] == flow
    # the config fetch carries nothing
    config = {i for i, what in capture.mitm_ids.items() if what.startswith("GET ")}
    assert not config & {e["flow_id"] for d in report["data_flows"] for e in d["evidence"]}
    assert report["label"]["verdict"] == "privacy_not_included"
    [reason] = [r for r in report["label"]["reasons"] if r["rule"] == "health_to_tracker"]
    assert {e["flow_id"] for e in reason["evidence"]} <= set(capture.mitm_ids)
    assert any(r["rule"] == "pre_consent_identifiers" and "Adjust" in r["summary"] for r in report["label"]["reasons"])


def test_har_from_mitmproxy_gives_the_same_flows(report: dict[str, Any], capture: Capture) -> None:
    har = analyze_json(capture.har)
    assert har["input"]["files"][0]["format"] == "har" and har["input"]["flows_read"] == 4
    assert sorted(map(flow_key, har["data_flows"])) == sorted(map(flow_key, report["data_flows"]))
    assert har["label"]["verdict"] == report["label"]["verdict"]
    har_ids = {f.id for f in open_capture(capture.har)}
    assert {e["flow_id"] for d in har["data_flows"] for e in d["evidence"]} <= har_ids


def test_several_files_at_once(capture: Capture) -> None:
    both = analyze_json(capture.dump, capture.har)
    assert both["input"]["flows_read"] == 8 and [f["format"] for f in both["input"]["files"]] == ["mitm", "har"]
    meta_health = third_party(both)[("health_fitness.health", "Meta")]
    # one request per file carries it, in several fields: a count of requests, each field quoted once per request
    assert meta_health["evidence_count"] == 2 == len({e["flow_id"] for e in meta_health["evidence"]})
    pairs = [(e["flow_id"], e["location"]) for e in meta_health["evidence"]]
    assert len(pairs) == len(set(pairs)) > 2


def test_html_page_written(capture: Capture, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    r = hpa("analyze", capture.dump, *BASE, "--format", "html", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""                      # written to the file, not printed
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "privacy_not_included" in page or "PRIVACY NOT INCLUDED" in page.upper()
    assert "graph.facebook.com" in page and "body.multipart.advertiser_id" in page
    assert (out.stat().st_mode & 0o777) == 0o600
    assert '<script src="http' not in page and '<link rel="stylesheet" href="http' not in page


def test_table_prints_the_label(capture: Capture) -> None:
    r = hpa("analyze", capture.dump, *BASE, "--format", "table", env={"COLUMNS": "160"})
    assert r.returncode == 0, r.stderr
    assert "PRIVACY NOT INCLUDED" in r.stdout.upper()
    assert "Meta" in r.stdout and "Adjust" in r.stdout and "health information" in r.stdout


@pytest.mark.parametrize("columns", [60, 100, 160])
def test_table_wraps_at_words_and_honours_columns_when_piped(capture: Capture, columns: int) -> None:
    r = hpa("analyze", capture.dump, *BASE, "--format", "table", env={"COLUMNS": str(columns)})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= columns and max(len(ln) for ln in lines) > columns - 25
    words = {w for ln in lines for w in re.findall(r"[A-Za-z]{4,}", ln)}
    for w in ("information", "pregnancy", "advertising", "received", "identifiers"):
        assert w in words, (w, columns)                  # never cut in two


def test_jobs_2_gives_the_same_data_flows(capture: Capture, tmp_path: Path) -> None:
    """More flows than one chunk (parallel.CHUNK), with the tracker requests in both chunks, so that the parallel
    fold really merges partial results; the filler is the (cheap) config fetch, copied with new flow ids."""
    from mitmproxy import io

    from analyzer.parallel import CHUNK

    with open(capture.dump, "rb") as fp:
        flows = list(io.FlowReader(fp).stream())
    [filler] = [f for f in flows if f.request.method == "GET"]
    big = tmp_path / "big.dump"
    with open(big, "wb") as fp:
        w = io.FlowWriter(fp)
        for f in [*flows, *(filler.copy() for _ in range(CHUNK)), *(f.copy() for f in flows)]:
            w.add(f)
    total = CHUNK + 2 * len(flows)
    one, two = analyze_json(big, "--jobs", "1"), analyze_json(big, "--jobs", "2")
    assert one["input"]["flows_read"] == two["input"]["flows_read"] == total
    assert sorted(map(flow_key, one["data_flows"])) == sorted(map(flow_key, two["data_flows"]))
    assert third_party(two)[("health_fitness.health", "Meta")]["evidence_count"] == 2      # the request, twice
    assert one["coverage"]["http_flows"] == two["coverage"]["http_flows"] == total
    assert one["coverage"]["phases"] == two["coverage"]["phases"]
    assert {c["host"]: c["flows"] for c in one["contacts"]} == {c["host"]: c["flows"] for c in two["contacts"]}
    assert one["label"]["verdict"] == two["label"]["verdict"]
    assert sorted(r["rule"] for r in one["label"]["reasons"]) == sorted(r["rule"] for r in two["label"]["reasons"])


def test_known_values_add_detections(report: dict[str, Any], capture: Capture) -> None:
    known = analyze_json(capture.dump, "--known-values", capture.persona)
    methods = {e["method"] for d in known["data_flows"] for e in d["evidence"]}
    assert "known_value" in methods
    assert "known_value" not in {e["method"] for d in report["data_flows"] for e in d["evidence"]}
    # the first party's opaque `dv` field is the test device's Android ID: only the persona reveals it
    first = {d["data_type"]: d for d in known["data_flows"] if d["recipient"]["party"] == "first"}
    ev = [e for e in first["device_ids"]["evidence"] if e["method"] == "known_value"]
    assert ev and ev[0]["location"] == "body.json.dv" and ANDROID_ID in ev[0]["excerpt"]
    assert capture.mitm_ids[ev[0]["flow_id"]] == f"POST api.{FIRST_PARTY}/v2/sync"
    # the hashed email in Meta's `ud` is recognised as the persona's
    email = third_party(known)[("personal_info.email", "Meta")]
    assert any(e["method"] == "known_value" and e["location"] == "body.multipart.ud.em" for e in email["evidence"])
    # the custom value typed in the app, under an opaque key, is found too
    assert any(e["method"] == "known_value" and e["location"] == "body.json.k9"
               for d in known["data_flows"] for e in d["evidence"])


def test_redact_hides_the_values(capture: Capture, tmp_path: Path) -> None:
    secrets = (AAID, ANDROID_ID, "pregnancy_confirmed", "a85eef5e2d66c0b2", EMAIL, "ZX81-7734")
    r = hpa("analyze", capture.dump, *BASE, "--known-values", capture.persona, "--format", "json", "--redact")
    assert r.returncode == 0, r.stderr
    for s in secrets:
        assert s not in r.stdout, s
    red = json.loads(r.stdout)
    assert red["redacted"] is True
    plain = analyze_json(capture.dump, "--known-values", capture.persona)
    assert AAID in json.dumps(plain)             # the check above could fail
    # locations, recipients and the label stay: the report is still checkable
    assert sorted(map(lambda d: (d["data_type"], d["recipient"]["domain"]), red["data_flows"])) == \
        sorted(map(lambda d: (d["data_type"], d["recipient"]["domain"]), plain["data_flows"]))
    locs = {e["location"] for d in red["data_flows"] for e in d["evidence"]}
    assert "body.multipart.advertiser_id" in locs and red["label"]["verdict"] == plain["label"]["verdict"]
    out = tmp_path / "r.html"
    r = hpa("analyze", capture.dump, *BASE, "--known-values", capture.persona, "-f", "html", "-o", out, "--redact")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    for s in secrets:
        assert s not in page, s


def test_policy_and_data_safety_are_checked(capture: Capture, tmp_path: Path) -> None:
    policy = tmp_path / "policy.md"
    policy.write_text("# Bloom privacy policy\n\nWe never share your health data with third parties. "
                      "We do not sell your personal data.\n\nWe use Adjust to measure our campaigns; Adjust receives "
                      "your advertising ID.\n", encoding="utf-8")
    form = tmp_path / "ds.json"
    form.write_text(json.dumps({"schema": "hpa.data_safety/1", "app_id": APP_ID, "no_data_shared": True,
                                "no_data_collected": False, "data_types": [
                                    {"id": "health_fitness.health", "collected": True, "shared": False}]}))
    rep = analyze_json(capture.dump, "--policy", policy, "--data-safety", form)
    meta_health = third_party(rep)[("health_fitness.health", "Meta")]
    assert meta_health["consistency"] == "incorrect"       # breaks "we never share your health data"
    assert meta_health["data_safety"] == "undeclared"      # the form says nothing is shared
    assert rep["policy"]["source"] and rep["data_safety"]["no_data_shared"] is True
    assert {r["rule"] for r in rep["label"]["reasons"]} >= {"health_to_tracker"}
    assert rep["label"]["verdict"] == "privacy_not_included"


def test_jobs_2_on_jsonl_reads_byte_ranges_in_workers(capture: Capture, tmp_path: Path) -> None:
    """hpa JSONL, alone or as a capture folder's flows.jsonl, is split into byte ranges read by the workers
    themselves (parallel.fold_parallel): the same report as one process, every flow and every skipped line counted
    once, the file's warning line printed once."""
    from analyzer.traffic import JsonlWriter

    folder = tmp_path / "run"
    folder.mkdir()
    jsonl = folder / "flows.jsonl"
    flows = list(open_capture(capture.dump))
    with JsonlWriter(jsonl) as w:
        for i in range(40):                      # enough lines for several ranges per worker
            for f in flows:
                f.id = f"{f.id.split('#')[0]}#{i}"
                w.write(f)
    with open(jsonl, "ab") as fp:
        fp.write(b"{truncated\n")
    for path in (jsonl, folder):
        runs = {}
        for jobs in ("1", "2"):
            r = hpa("analyze", path, *BASE, "--format", "json", "--jobs", jobs)
            assert r.returncode == 0, r.stderr
            assert r.stderr.count("hpa: warning:") == 1 and "1 bad_json_line" in r.stderr, r.stderr
            runs[jobs] = json.loads(r.stdout)
            runs[jobs].pop("generated_at")
        one, two = runs["1"], runs["2"]
        assert one["input"]["flows_read"] == 40 * len(flows)
        assert one["input"]["files"][0]["records"] == 40 * len(flows)
        assert one["input"]["skipped"] == {"bad_json_line": 1}
        assert one == two


def test_html_request_viewer_and_size(capture: Capture, tmp_path: Path) -> None:
    """Each cited flow id links to the request decoded, the cited fields marked; no script, a small page."""
    import re

    out = tmp_path / "x.html"
    r = hpa("analyze", capture.dump, *BASE, "--format", "html", "-o", out)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert len(page.encode()) < 1_500_000 and "<script" not in page
    assert "<svg" in page and "health information" in page        # the diagram, in plain words
    targets = set(re.findall(r'href="#(req-\d+)"', page))
    ids = set(re.findall(r'<div class="req" id="(req-\d+)"', page))
    assert targets and targets == ids                               # every link opens a request, each one linked
    meta_post = next(i for i, what in capture.mitm_ids.items() if what.startswith("POST graph.facebook.com"))
    block = page.split(f"{meta_post}</span> · <strong>POST</strong>")[1].split('<div class="req"')[0]
    marked = re.findall(r'<tr class="marked"><td class="mono">([^<]+)</td>', block)
    assert "body.multipart.advertiser_id" in marked
    assert "body.multipart.format" in block and "body.multipart.format" not in marked   # shown, not marked


def test_html_redacted_has_no_request_viewer(capture: Capture, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    r = hpa("analyze", capture.dump, *BASE, "--format", "html", "-o", out, "--redact")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="requests"' not in page and 'href="#req-' not in page


def test_jobs_2_on_har_batches_give_the_one_process_report(capture: Capture, tmp_path: Path) -> None:
    """A HAR's entries go to the workers as JSON text in batches (parallel.fold_parallel): the report is the one
    a single process makes (evidence and first-seen recipients in file order), each entry read once, a broken
    entry, an entry nested too deep and a cut file counted once and their warning printed once, bytes that are not
    UTF-8 and an unpaired surrogate escape read the same in the workers."""
    from analyzer.parallel import HAR_BATCH

    har = json.loads(capture.har.read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    big = []
    for i in range(3 * HAR_BATCH // len(entries) + 1):       # the tracker requests in every batch
        for e in entries:
            e = json.loads(json.dumps(e))
            e["startedDateTime"] = f"2026-12-01T10:{i // 60:02d}:{i % 60:02d}.{len(big) % 1000:03d}Z"
            big.append(e)
    big.insert(len(big) // 3, {"startedDateTime": "2026-12-01T10:00:00.000Z", "request": "broken"})
    big.insert(2 * len(big) // 3, {"startedDateTime": "2026-12-01T10:00:00.000Z", "deep": "DEEP"})
    second_batch = next(e for e in big[HAR_BATCH:] if isinstance(e.get("request"), dict))
    second_batch["request"]["headers"].append({"name": "X-Note", "value": "caf\udce9 RAW"})
    har["log"]["entries"] = big
    path = tmp_path / "big.har"
    text = json.dumps(har).replace('"DEEP"', "[" * 5000 + "]" * 5000)
    data = text.encode().replace(b"RAW", b"\xff\xfe")
    path.write_bytes(data)
    cut = tmp_path / "cut.har"                  # ends inside an entry of the last batch: the stream's own skip
    cut.write_bytes(data[: data.rindex(b'"startedDateTime"') + 40])
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for name, f in (("big", path), ("cut", cut)):
        for jobs in ("1", "2", "0"):             # 0, the default: every core when the file is large enough
            r = hpa("analyze", f, *BASE, "--format", "json", "--jobs", jobs)
            assert r.returncode == 0, r.stderr
            assert r.stderr.count("hpa: warning:") == 1, r.stderr
            runs[name, jobs] = json.loads(r.stdout)
            runs[name, jobs].pop("generated_at")
    one, two = runs["big", "1"], runs["big", "2"]
    assert one["input"]["flows_read"] == len(big) - 2 > 3 * HAR_BATCH
    assert one["input"]["skipped"] == {"bad_har_entry": 1, "har_entry_too_deep": 1}
    assert one == two == runs["big", "0"]
    assert runs["cut", "1"]["input"]["flows_read"] == len(big) - 3
    assert runs["cut", "1"]["input"]["skipped"] == {"bad_har_entry": 1, "har_entry_too_deep": 1,
                                                    "har_truncated_or_corrupt": 1}
    assert runs["cut", "1"] == runs["cut", "2"]


def test_default_jobs_use_every_core_for_a_large_har_only(capture: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs` defaults to 0: a HAR or JSONL of parallel.AUTO_MIN_BYTES or more is folded on every usable core,
    a smaller one (and a mitmproxy dump, whose flows would have to be sent) in this process."""
    import os

    from analyzer import parallel, pipeline
    from analyzer.traffic.source import CaptureSource

    cores = min(len(os.sched_getaffinity(0)), parallel.AUTO_MAX_JOBS)
    har = CaptureSource(capture.har)
    assert parallel.auto_jobs(har) == 1                                  # a few KB
    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", har.size() // 2)    # two workers' worth
    assert parallel.auto_jobs(har) == min(cores, 2)
    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)                  # a worker's worth per byte: the cores cap
    assert parallel.auto_jobs(har) == cores
    monkeypatch.setattr(parallel, "AUTO_MAX_JOBS", 1)
    assert parallel.auto_jobs(har) == 1
    monkeypatch.setattr(parallel, "AUTO_MAX_JOBS", 8)
    assert parallel.auto_jobs(CaptureSource(capture.dump)) == 1
    used: list[int] = []

    def fold_here(src: CaptureSource, acc: Any, n: int) -> None:
        # no fork from the test process (its threads could deadlock a child): the CLI tests above run real workers
        used.append(n)
        for flow in src:
            acc.add(flow)

    monkeypatch.setattr(pipeline, "fold_parallel", fold_here)
    pipeline.analyze([capture.har], pipeline.AnalyzeOptions(jobs=1))
    assert used == []
    pipeline.analyze([capture.har], pipeline.AnalyzeOptions(jobs=0))
    assert used == ([cores] if cores > 1 else [])
