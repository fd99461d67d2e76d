"""The addon on its own under plain `mitmdump -s addons/hpa_recorder.py` (a subprocess), as any mitmproxy user runs it."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer.capture.proxy import ADDON_PATH, SINKHOLE_PATH
from analyzer.capture.scenario import SimRequest
from analyzer.capture.simclient import send

MITMDUMP = Path(sys.executable).parent / "mitmdump"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not MITMDUMP.exists() and shutil.which("mitmdump") is None, reason="mitmdump not installed")
def test_mitmdump_with_addon_writes_jsonl_and_dump(tmp_path, confdir):
    port = _free_port()
    out = tmp_path / "out"
    exe = str(MITMDUMP) if MITMDUMP.exists() else "mitmdump"
    proc = subprocess.Popen([exe, "-q", "-s", str(ADDON_PATH), "-s", str(SINKHOLE_PATH), "--listen-host", "127.0.0.1", "-p", str(port),
                             "--set", f"confdir={confdir}", "--set", f"hpa_out={out}", "--set", "hpa_sinkhole=true",
                             "--set", "hpa_phase=interaction"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        req = SimRequest(method="POST", url="https://api2.branch.io/v1/install", host="api2.branch.io", port=443,
                         target="/v1/install", headers=[("Content-Type", "application/json")],
                         body=b'{"hardware_id":"7e3a91c5d2b04f86"}')
        res = send(req, ("127.0.0.1", port), confdir / "mitmproxy-ca-cert.pem")
        assert res.error is None and res.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    rows = [json.loads(x) for x in (out / "flows.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["host"] == "api2.branch.io" and rows[0]["phase"] == "interaction"
    from mitmproxy import io as mio
    with open(out / "flows.mitm", "rb") as f:
        assert [fl.request.path for fl in mio.FlowReader(f).stream()] == ["/v1/install"]
    assert (out / "flows.jsonl").stat().st_mode & 0o777 == 0o600 and out.stat().st_mode & 0o777 == 0o700
