"""Parity: the same traffic as a mitmproxy dump and as mitmproxy's own HAR export (`mitmdump -nr x.mitm --set
hardump=x.har`, its savehar addon) gives byte-identical request bodies and the same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.traffic import open_capture
from tests.capture.mitmdump import export_har
from tests.integration.cli import hpa

from .sdk_bodies import AAID, REQUESTS, encode


@pytest.fixture
def dump_and_har(real_proxy, stop, tmp_path: Path) -> tuple[Path, Path]:
    real_proxy.recorder.phase = None
    for host, path, headers, body in REQUESTS:
        real_proxy.request(host, "POST", path, body=encode(body, headers), headers=headers)
    stop(real_proxy)
    dump = real_proxy.recorder.dump
    har = export_har(dump, tmp_path / "export.har")
    assert json.loads(har.read_text())["log"]["creator"]["name"] == "mitmproxy"
    return dump, har


def _by_url(path: Path) -> dict[str, object]:
    return {f.url: f for f in open_capture(path) if f.kind == "http"}


def test_bodies_are_byte_identical(dump_and_har: tuple[Path, Path]) -> None:
    dump, har = dump_and_har
    a, b = _by_url(dump), _by_url(har)
    assert len(a) == len(REQUESTS) and a.keys() == b.keys()
    for url, fa in a.items():
        fb = b[url]
        assert fb.request_body == fa.request_body, (url, fb.body_encoding)
        assert (fb.method, fb.host, fb.query, fb.server_ip) == (fa.method, fa.host, fa.query, fa.server_ip)
        assert fb.body_encoding and fb.body_encoding.startswith("mitmproxy:")
    encodings = {f.body_encoding for f in b.values()}
    # the rule's branches were all exercised: latin-1 (binary), UTF-8 (JSON), the surrogate fallback, a charset
    assert {"mitmproxy:latin-1", "mitmproxy:utf8", "mitmproxy:utf-8-surrogateescape",
            "mitmproxy:utf-16-le"} <= encodings, encodings
    expected = {h: body for h, _, _, body in REQUESTS}
    assert {f.host: f.request_body for f in b.values()} == expected       # and they are the bytes sent


def _summary(report) -> dict:
    return _summary_of(report.to_dict())


def _summary_of(d: dict) -> dict:
    flows = sorted((x["data_type"], tuple(sorted(x["details"])), x["recipient"]["entity"], x["recipient"]["domain"],
                    x["evidence_count"], tuple(sorted(e["location"] for e in x["evidence"])))
                   for x in d["data_flows"])
    label = d["label"]
    return {"data_flows": flows, "verdict": label["verdict"],
            "reasons": sorted((r["rule"], r["summary"]) for r in label["reasons"]),
            "contacts": sorted((c["host"], c["entity"]) for c in d["contacts"])}


@pytest.mark.parametrize("har_jobs", [1, 2])
def test_same_report(dump_and_har: tuple[Path, Path], tmp_path: Path, har_jobs: int) -> None:
    """The dump in one process against the HAR in one process, and against the HAR read in batches by two worker
    processes (`hpa analyze --jobs 2`: the workers fork from the CLI's process, not from this threaded one)."""
    dump, har = dump_and_har
    persona = tmp_path / "persona.json"
    persona.write_text(json.dumps({"schema": "hpa.persona/1", "advertising_id": AAID}))
    opts = AnalyzeOptions(app_id="org.example.cycle", known_values=str(persona))
    a = _summary(analyze([dump], opts))
    if har_jobs == 1:
        b = _summary(analyze([har], opts))
    else:
        out = tmp_path / "har.json"
        r = hpa("analyze", har, "--app-id", "org.example.cycle", "--known-values", persona, "-f", "json", "-o", out,
                "--jobs", str(har_jobs))
        assert r.returncode == 0, r.stderr
        b = _summary_of(json.loads(out.read_text(encoding="utf-8")))
    assert a["data_flows"], "the dump gives data flows"
    assert any(df[0] == "device_ids" and df[2] == "Google" for df in a["data_flows"]), a["data_flows"]
    assert b == a


def test_folder_with_the_dump_and_its_har_counts_each_request_once(dump_and_har: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:
    dump, har = dump_and_har
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "app.mitm").write_bytes(dump.read_bytes())
    (folder / "app.har").write_bytes(har.read_bytes())
    src = open_capture(folder)
    flows = list(src)
    assert src.format == "folder" and len([f for f in flows if f.kind == "http"]) == len(REQUESTS)
    assert src.stats.skipped == {"duplicate_flow": len(REQUESTS)}
    assert all(f.body_encoding == "mitmproxy:raw" for f in flows)          # the dump's copies were kept
    persona = tmp_path / "persona.json"
    persona.write_text(json.dumps({"schema": "hpa.persona/1", "advertising_id": AAID}))
    opts = AnalyzeOptions(app_id="org.example.cycle", known_values=str(persona))
    assert _summary(analyze([folder], opts))["data_flows"] == _summary(analyze([dump], opts))["data_flows"]


def test_zhar_export_reads_like_the_har(dump_and_har: tuple[Path, Path], tmp_path: Path) -> None:
    """mitmproxy writes a zlib-compressed HAR when the path ends in .zhar."""
    dump, har = dump_and_har
    zhar = export_har(dump, tmp_path / "export.zhar")
    a, b = _by_url(har), _by_url(zhar)
    assert open_capture(zhar).format == "har" and a.keys() == b.keys()
    assert all(b[u].request_body == a[u].request_body for u in a)
