"""The addon on its own under plain `mitmdump -s addons/hpa_recorder.py` (a subprocess), as any mitmproxy user runs it."""

from __future__ import annotations

import json
import signal

import pytest

from analyzer.capture.scenario import SimRequest
from analyzer.capture.simclient import send
from tests.capture.mitmdump import AVAILABLE, start_mitmdump


@pytest.mark.skipif(not AVAILABLE, reason="mitmdump not installed")
def test_mitmdump_with_addon_writes_jsonl_and_dump(tmp_path, confdir):
    out = tmp_path / "out"
    proc, port = start_mitmdump(confdir, out, "hpa_phase=interaction")
    try:
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
