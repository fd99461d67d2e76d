"""HAR 1.2: mitmproxy's own export, and files in the style of Chrome, HTTP Toolkit and PCAPdroid."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import brotli
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow

from analyzer.traffic import open_capture


def mitm_flows():
    a = tflow.tflow(resp=True)
    a.request.method = "POST"
    a.request.headers["host"] = "collector.example"
    a.request.path = "/v2/batch?sdk=7"
    a.request.headers["content-encoding"] = "gzip"
    a.request.raw_content = gzip.compress(b'{"event":"period_logged"}')
    b = tflow.tflow(resp=True, ws=True)
    b.request.headers["host"] = "ws.example"
    return [a, b]


def test_mitmproxy_har_export(tmp_path: Path) -> None:
    p = tmp_path / "export.har"
    SaveHar().export_har(mitm_flows(), str(p))
    src = open_capture(p)
    assert src.format == "har"
    flows = list(src)
    a = flows[0]
    assert (a.host, a.method, a.path, a.query) == ("collector.example", "POST", "/v2/batch", "sdk=7")
    # mitmproxy stores the decoded text but keeps the gzip header: not decoded twice
    assert a.request_body == b'{"event":"period_logged"}' and a.error is None
    assert a.origin == "import" and a.status == 200 and a.time is not None
    ws = [f for f in flows if f.kind == "websocket"]
    assert ws and all(f.host == "ws.example" for f in ws)
    assert src.stats.skipped == {}


def har(entries: list, creator: str = "x") -> dict:
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": entries}}


def test_styles_of_other_tools(tmp_path: Path) -> None:
    binary = bytes(range(256))
    entries = [
        # Chrome devtools: postData text, timings, _initiator, serverIPAddress "[::1]"-style
        {"startedDateTime": "2024-05-01T10:00:00.123Z", "time": 12, "_initiator": {"type": "script"},
         "request": {"method": "POST", "url": "https://www.google-analytics.com/g/collect?v=2&en=page_view",
                     "httpVersion": "http/2.0", "headers": [{"name": ":authority", "value": "www.google-analytics.com"}],
                     "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 5,
                     "postData": {"mimeType": "text/plain", "text": "en=x1"}},
         "response": {"status": 204, "statusText": "", "httpVersion": "http/2.0", "headers": [], "cookies": [],
                      "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1,
                      "bodySize": -1, "_transferSize": 0},
         "serverIPAddress": "142.250.0.1", "_webSocketMessages": None},
        # HTTP Toolkit: binary request body base64 in _content, brotli still encoded
        {"startedDateTime": "2024-05-01T10:00:01+02:00",
         "request": {"method": "PUT", "url": "https://api.mixpanel.com/track", "headers": [
             {"name": "content-encoding", "value": "br"}],
             "postData": {"mimeType": "application/octet-stream", "text": "",
                          "_content": {"text": base64.b64encode(brotli.compress(binary)).decode(),
                                       "encoding": "base64"}}},
         "response": {"status": 200, "headers": [], "content": {"size": 3}}},
        # PCAPdroid: postData base64 with encoding, many optional fields missing
        {"request": {"method": "POST", "url": "http://10.0.0.5:8080/upload",
                     "postData": {"mimeType": "application/x-protobuf", "encoding": "base64",
                                  "text": base64.b64encode(binary).decode()}},
         "response": {"status": 0}},
        # form params without text; data: URI body
        {"request": {"method": "POST", "url": "https://forms.example/f",
                     "postData": {"mimeType": "application/x-www-form-urlencoded",
                                  "params": [{"name": "e mail", "value": "a@b.c"}]}}},
        {"request": {"method": "POST", "url": "https://img.example/u",
                     "postData": {"mimeType": "image/png", "text": "data:image/png;base64,iVBORw0KGgo="}}},
    ]
    p = tmp_path / "mixed.json"
    p.write_text("\ufeff" + json.dumps(har(entries), indent=1), encoding="utf-8")
    src = open_capture(p)
    flows = list(src)
    assert src.format == "har" and src.stats.skipped == {}
    ga, mp, pd, form, img = flows
    assert ga.host == "www.google-analytics.com" and ga.query == "v=2&en=page_view" and ga.request_body == b"en=x1"
    assert ga.status == 204 and ga.server_ip == "142.250.0.1" and abs(ga.time - 1714557600.123) < 1e-3
    assert mp.request_body == binary and mp.method == "PUT"
    assert (pd.scheme, pd.port, pd.host, pd.status) == ("http", 8080, "10.0.0.5", None)
    assert pd.request_body == binary and pd.time is None
    assert form.request_body == b"e+mail=a%40b.c"
    assert img.request_body == base64.b64decode("iVBORw0KGgo=")
    assert len({f.id for f in flows}) == 5


def test_bad_entries_skipped_and_truncation_counted(tmp_path: Path) -> None:
    good = {"request": {"method": "GET", "url": "https://ok.example/"}}
    entries = [good, {"request": {"url": 5}}, "junk", {"nothing": 1}, good,
               {"request": {"url": "https://b.example/", "headers": "not-a-list"}}]
    p = tmp_path / "a.har"
    text = json.dumps(har(entries + [good, good]))
    p.write_text(text)
    src = open_capture(p)
    assert len(list(src)) == 4 and src.stats.skipped == {"bad_har_entry": 4}
    cut = text[: text.rindex("ok.example") - 30]
    p.write_text(cut)
    src = open_capture(p)
    assert len(list(src)) == 3 and src.stats.skipped == {"bad_har_entry": 4, "har_truncated_or_corrupt": 1}


def test_minified_har_on_one_line_with_log_not_first(tmp_path: Path) -> None:
    d = {"comment": "x", "log": {"entries": [{"request": {"url": "https://x.example/a"}}]}}
    p = tmp_path / "m.har"
    p.write_text(json.dumps(d))
    assert [f.host for f in open_capture(p)] == ["x.example"]
