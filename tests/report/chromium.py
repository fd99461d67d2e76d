"""Headless Chromium (Debian package) for report tests: the DOM after scripts ran, and every network request made."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def render(html_path: Path, timeout: float = 90) -> tuple[str, list[str]]:
    """(DOM after load, URLs of every request the page made beyond itself), from Chromium's own net log."""
    with tempfile.TemporaryDirectory() as profile:
        netlog = Path(profile) / "net.json"
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}",
               f"--log-net-log={netlog}", "--net-log-capture-mode=Default",
               "--virtual-time-budget=5000", "--dump-dom", html_path.resolve().as_uri()]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        dom = out.stdout
        urls: list[str] = []
        if netlog.exists():
            text = netlog.read_text(errors="replace").rstrip().rstrip(",")
            if not text.endswith("}"):
                text += "]}"
            try:
                log = json.loads(text)
            except ValueError:
                log = {"events": []}
            start_job = (log.get("constants", {}).get("logEventTypes", {}) or {}).get("URL_REQUEST_START_JOB")
            for e in log.get("events", []):
                p = e.get("params") or {}
                url, initiator = p.get("url"), p.get("initiator")
                # the browser's own housekeeping has no origin; the page's requests carry its (file) origin
                if e.get("type") != start_job or not url or initiator in (None, "not an origin"):
                    continue
                if not url.startswith(("file:", "data:", "about:", "chrome:")):
                    urls.append(url)
    return dom, urls
