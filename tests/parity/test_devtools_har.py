"""Parity for web-view traffic: the requests of a page in headless Chromium, recorded by the real proxy (mitmproxy's
FlowWriter) and as the HAR DevTools builds from the protocol's Network events, give the same bodies and report."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.traffic import open_capture

from .devtools_har import CHROMIUM, build_har, launch
from .sdk_bodies import AAID
from .test_mitmproxy_har import _summary

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
HOSTS = {"graph.facebook.com", "api.mixpanel.com", "app-measurement.com"}
PAGE = """<!doctype html><title>app</title><script>
(async () => {
  const opts = (body, type) => ({method: "POST", mode: "no-cors", body, headers: type ? {"content-type": type} : {}});
  await fetch("https://graph.facebook.com/v16.0/123/activities",
              opts(JSON.stringify({event: "CUSTOM_APP_EVENTS", advertiser_id: "%(aaid)s",
                                   custom_events: [{_eventName: "pregnancy_week_logged", mood: "anxious"}]}),
                   "text/plain;charset=UTF-8"));
  await fetch("https://api.mixpanel.com/track?ip=1",
              opts(new URLSearchParams({data: JSON.stringify({event: "app_open",
                                        properties: {distinct_id: "%(aaid)s", "note": "café"}})})));
  await fetch("https://app-measurement.com/a", opts(new Uint8Array([10, 3, 255, 254, 128, 0, 1, 2]), null));
  document.title = "done";
})();
</script>""" % {"aaid": AAID}


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a: object) -> None:
        pass


def _finished(events: list[dict]) -> bool:
    done = [e for e in events if e.get("method") in ("Network.loadingFinished", "Network.loadingFailed")]
    return len(done) >= 4          # the page and its three requests


def test_devtools_har_matches_the_dump(real_proxy, stop, tmp_path: Path) -> None:
    real_proxy.recorder.phase = None
    web = http.server.HTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    proc, cdp = launch(tmp_path / "profile", real_proxy.port)
    try:
        target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        cdp.call("Network.enable", {}, session)
        cdp.call("Page.navigate", {"url": f"http://127.0.0.1:{web.server_address[1]}/"}, session)
        cdp.wait(_finished)
        har = tmp_path / "devtools.har"
        har.write_text(json.dumps(build_har(cdp, session, HOSTS)))
    finally:
        proc.terminate()
        proc.wait(20)
        web.shutdown()
    stop(real_proxy)
    dump = real_proxy.recorder.dump

    a = {f.url: f for f in open_capture(dump) if f.kind == "http" and f.host in HOSTS}
    b = {f.url: f for f in open_capture(har)}
    assert len(a) == 3 and a.keys() == b.keys()
    for url, fa in a.items():
        if fa.host == "app-measurement.com":    # not UTF-8: DevTools' text already lost these bytes, and says so
            assert b[url].body_encoding == "utf-8-lossy" and b[url].request_body != fa.request_body
            continue
        assert b[url].request_body == fa.request_body and b[url].body_encoding == "utf-8", url
    persona = tmp_path / "persona.json"
    persona.write_text(json.dumps({"schema": "hpa.persona/1", "advertising_id": AAID}))
    opts = AnalyzeOptions(app_id="org.example.webview", known_values=str(persona))
    ra, rb = _summary(analyze([dump], opts)), _summary(analyze([har], opts))
    assert any(df[0] == "device_ids" and df[2] == "Meta" for df in ra["data_flows"]), ra["data_flows"]
    assert rb["data_flows"] == ra["data_flows"] and rb["verdict"] == ra["verdict"]
