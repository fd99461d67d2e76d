"""run_capture and `hpa capture --simulate` end to end; listen-host safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.capture import CaptureOptions, run_capture
from analyzer.capture.proxy import ProxyConfig, RunningProxy
from analyzer.capture.scenario import SimRequest
from analyzer.capture.simclient import send
from analyzer.errors import CaptureError, InputError

HPA = Path(sys.executable).parent / "hpa"


def _modes(run: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mode & 0o777 for p in [run, *run.iterdir()]}


def test_cli_capture_simulate_end_to_end(tmp_path, confdir):
    out = tmp_path / "caps"
    env = {**os.environ, "HPA_MITM_CONFDIR": str(confdir)}
    r = subprocess.run([str(HPA), "capture", "--simulate", "demo-basic", "-o", str(out), "-f", "json"],
                       capture_output=True, text=True, env=env, timeout=240)
    runs = list(out.glob("org.hpa.demo.basic/*"))
    assert len(runs) == 1, r.stderr
    run = runs[0]
    modes = _modes(run)
    assert modes[run.name] == 0o700 and (out.stat().st_mode & 0o777) == 0o700
    assert all(m == 0o600 for n, m in modes.items() if n != run.name), modes
    assert {"flows.jsonl", "flows.mitm", "meta.json", "persona.json"} <= set(modes)
    meta = json.loads((run / "meta.json").read_text())
    assert meta["simulated"] is True and meta["sinkhole"] is True and meta["app"]["id"] == "org.hpa.demo.basic"
    assert [p["name"] for p in meta["phases"]] == ["pre_consent", "interaction", "background"]
    assert meta["coverage"]["proxy_http_flows"] == 4 and meta["tool"]["mitmproxy"]
    assert meta["coverage"]["proxy_auth"] is True             # a per-run credential even on loopback (local users)
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(r.stdout)
    assert report["coverage"]["simulated"] is True


def test_backend_choice_errors(tmp_path):
    with pytest.raises(InputError, match="choose exactly one"):
        run_capture(CaptureOptions(output=str(tmp_path)))
    with pytest.raises(InputError, match="got --simulate, --device"):
        run_capture(CaptureOptions(simulate="demo-basic", device="x", output=str(tmp_path)))
    with pytest.raises(InputError, match="--apk is required"):
        run_capture(CaptureOptions(device="emulator-5554", output=str(tmp_path)))


def test_non_loopback_listen_requires_auth(confdir, tmp_path):
    with pytest.raises(CaptureError, match="requires proxy authentication"):
        RunningProxy(ProxyConfig(out_dir=tmp_path / "r", confdir=confdir, listen_host="0.0.0.0")).start()


def test_non_loopback_run_generates_password_printed_once(env_confdir, tmp_path, capfd):
    run = run_capture(CaptureOptions(simulate="demo-basic", listen_host="0.0.0.0", output=str(tmp_path)))
    err = capfd.readouterr().err
    assert err.count("password") == 1 and "requires authentication" in err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["coverage"]["proxy_http_flows"] == 4          # the simulated app authenticated
    password = err.split("password ", 1)[1].split()[0]
    assert password not in (run / "meta.json").read_text()     # shown once, never stored


def test_proxyauth_enforced(confdir, tmp_path):
    p = RunningProxy(ProxyConfig(out_dir=tmp_path / "r", confdir=confdir, listen_host="0.0.0.0", sinkhole=True,
                                 proxyauth="hpa:s3cret")).start()
    try:
        req = SimRequest(method="GET", url="https://a.example/", host="a.example", port=443, target="/", headers=[],
                         body=b"")
        denied = send(req, ("127.0.0.1", p.port), p.ca_cert)
        assert denied.status is None and "407" in (denied.error or "")
        ok = send(req, ("127.0.0.1", p.port), p.ca_cert, proxyauth="hpa:s3cret")
        assert ok.status == 204
    finally:
        p.stop()


def test_port_in_use_is_a_clear_error(confdir, tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(CaptureError, match=f"failed to listen on 127.0.0.1:{port}.*address already in use"):
            RunningProxy(ProxyConfig(out_dir=tmp_path / "r", confdir=confdir, listen_port=port)).start()
