"""A HAR built from Chrome DevTools Protocol events, the way DevTools' own HAR exporter builds one
(front_end/models/har: entries from Network.requestWillBeSent / responseReceived, postData.text from
Network.getRequestPostData, creator "WebInspector"), driving headless Chromium."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Cdp:
    def __init__(self, ws_url: str):
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None, open_timeout=20)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=30))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait(self, until, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not until(self.events):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not finish the page's requests")
            try:
                self.events.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                continue


def launch(profile: Path, proxy_port: int) -> tuple[subprocess.Popen, Cdp]:
    proc = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--ignore-certificate-errors",
                             "--disable-background-networking", "--disable-component-update",
                             f"--proxy-server=http://127.0.0.1:{proxy_port}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("Chromium did not open its DevTools port")
        time.sleep(0.1)
    port, path = port_file.read_text().splitlines()[:2]
    return proc, Cdp(f"ws://127.0.0.1:{port}{path}")


def _headers(h: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in h.items()]


def build_har(cdp: Cdp, session: str, hosts: set[str]) -> dict[str, Any]:
    """DevTools' HAR of the requests to `hosts` seen by the session."""
    sent: dict[str, dict] = {}
    extra: dict[str, dict] = {}
    responses: dict[str, dict] = {}
    for e in cdp.events:
        p = e.get("params", {})
        if e.get("method") == "Network.requestWillBeSent" and urlsplit(p["request"]["url"]).hostname in hosts:
            sent[p["requestId"]] = p
        elif e.get("method") == "Network.requestWillBeSentExtraInfo":
            extra[p["requestId"]] = p
        elif e.get("method") == "Network.responseReceived":
            responses[p["requestId"]] = p["response"]
    entries = []
    for rid, p in sent.items():
        req = p["request"]
        headers = extra.get(rid, {}).get("headers") or req.get("headers", {})
        entry_req: dict[str, Any] = {
            "method": req["method"], "url": req["url"], "httpVersion": "HTTP/1.1", "headers": _headers(headers),
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(req["url"]).query)],
            "cookies": [], "headersSize": -1, "bodySize": 0,
        }
        if req.get("hasPostData"):
            got = cdp.call("Network.getRequestPostData", {"requestId": rid}, session)
            text = got["postData"]
            if got.get("base64Encoded"):        # DevTools shows (and exports) the bytes as UTF-8 text
                text = base64.b64decode(text).decode("utf-8", "replace")
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            entry_req["postData"] = {"mimeType": ctype, "text": text}
            entry_req["bodySize"] = len(text.encode())
        resp = responses.get(rid, {})
        entries.append({
            "startedDateTime": dt.datetime.fromtimestamp(p["wallTime"], dt.timezone.utc).isoformat(),
            "time": 0, "request": entry_req,
            "response": {"status": resp.get("status", 0), "statusText": resp.get("statusText", ""),
                         "httpVersion": resp.get("protocol", ""), "headers": _headers(resp.get("headers", {})),
                         "cookies": [], "content": {"size": 0, "mimeType": resp.get("mimeType", "")},
                         "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0},
            "serverIPAddress": resp.get("remoteIPAddress", ""), "_resourceType": p.get("type", "").lower(),
        })
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": [],
                    "entries": entries}}
