"""While a capture runs, another local user must not relay through the loopback proxy (their requests would land in
the capture, and it would be an open proxy on the machine). Checked with a real client running as `nobody`."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import textwrap
import time

import pytest

from analyzer.capture.peers import local_peer_uid
from analyzer.capture.proxy import generate_proxyauth

CLIENT = textwrap.dedent("""
    import socket, sys
    port, auth = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    hdr = f"Proxy-Authorization: Basic {auth}\\r\\n" if auth else ""
    try:
        s.sendall(f"GET http://tracker.example/collect?u=intruder HTTP/1.1\\r\\nHost: tracker.example\\r\\n{hdr}\\r\\n".encode())
        data = s.recv(4096)
    except OSError as e:
        data = b""
    print(repr(data[:40]))
""")


def _as_nobody(*args: str) -> subprocess.CompletedProcess:
    if os.geteuid() != 0:
        pytest.skip("running a client as another user needs root (setpriv)")
    if not shutil.which("setpriv") or not os.path.exists("/usr/bin/python3"):
        pytest.skip("setpriv or /usr/bin/python3 missing")
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "/usr/bin/python3", "-I", "-c", CLIENT, *args],
                          capture_output=True, text=True, timeout=60, cwd="/")


def _as_us(port: int, auth: str) -> bytes:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    with s:
        hdr = f"Proxy-Authorization: Basic {auth}\r\n" if auth else ""
        s.sendall(f"GET http://tracker.example/collect HTTP/1.1\r\nHost: tracker.example\r\n{hdr}\r\n".encode())
        return s.recv(4096)


def test_another_local_user_cannot_relay_through_the_capture_proxy(proxy_factory, tmp_path):
    cred = generate_proxyauth()
    b64 = base64.b64encode(cred.encode()).decode()
    proxy = proxy_factory(out_dir=tmp_path / "run", sinkhole=True, proxyauth=cred)
    # the local user who knows nothing, then one who somehow learnt the per-run credential: both refused
    for auth in ("", b64):
        r = _as_nobody(str(proxy.port), auth)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "b''", r.stdout        # closed before any answer (no 407 page, no sinkhole reply)
    # the capture's own client: without the credential 407, with it answered (the sinkhole's reply)
    assert _as_us(proxy.port, "").startswith(b"HTTP/1.1 407")
    assert _as_us(proxy.port, b64).split(b"\r\n", 1)[0] in (b"HTTP/1.1 204 No Content", b"HTTP/1.1 200 OK")
    time.sleep(0.3)
    refused = proxy.counts["refused_local"]
    proxy.stop()
    assert refused == 2
    rows = [json.loads(x) for x in (tmp_path / "run" / "flows.jsonl").read_text().splitlines()]
    assert not any("intruder" in r.get("query", "") for r in rows)   # nothing of theirs in the capture


def test_peer_uid_of_a_loopback_socket_is_read_from_the_kernel():
    srv = socket.create_server(("127.0.0.1", 0))
    with srv, socket.create_connection(srv.getsockname()) as c:
        conn, peer = srv.accept()
        with conn:
            assert local_peer_uid(peer, srv.getsockname()) == os.getuid()
    assert local_peer_uid(("192.0.2.7", 40000), ("127.0.0.1", 8080)) is None   # not a socket of this machine
