"""The sinkhole's promise (nothing reaches the real servers) holds for raw TCP after a CONNECT, not only for HTTP:
a real proxy, a real raw-TCP echo server on loopback as the "tracker", a client speaking a non-HTTP protocol."""

from __future__ import annotations

import json
import socket
import threading
import time

PAYLOAD = b"\x10\x2a\x00\x04MQTT\x04\x02secret-user-42"  # starts like MQTT CONNECT: not HTTP, not TLS


class EchoServer:
    """Counts the connections it accepted and the bytes it received (what would have reached a tracker)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._t = threading.Thread(target=self._serve, daemon=True)
        self._t.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while self.sock.fileno() != -1:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            with conn:
                conn.settimeout(2)
                try:
                    while data := conn.recv(4096):
                        self.received += data
                        conn.sendall(data)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


def _connect_raw(proxy_port: int, target_port: int) -> bytes:
    """CONNECT through the proxy, then speak raw bytes; returns whatever came back before the close."""
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
    with s:
        s.sendall(f"CONNECT 127.0.0.1:{target_port} HTTP/1.1\r\nHost: 127.0.0.1:{target_port}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1024)
            if not chunk:
                break
            head += chunk
        assert head.startswith(b"HTTP/1.1 200"), head
        s.sendall(PAYLOAD)
        got = b""
        try:
            while chunk := s.recv(4096):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return got


def test_raw_tcp_after_connect_is_not_relayed_and_is_recorded(proxy_factory, tmp_path):
    echo = EchoServer()
    try:
        proxy = proxy_factory(out_dir=tmp_path / "run", sinkhole=True)
        got = _connect_raw(proxy.port, echo.port)
        time.sleep(0.3)
        proxy.stop()
    finally:
        echo.close()
    assert echo.accepted == 0 and echo.received == b""       # nothing reached the "tracker"
    assert got == b""                                         # and nothing was echoed back
    rows = [json.loads(x) for x in (tmp_path / "run" / "flows.jsonl").read_text().splitlines()]
    raw = [r for r in rows if r.get("port") == echo.port]
    assert raw, rows                                          # the attempt is in the capture
    import base64
    bodies = b"".join(base64.b64decode(r.get("request_body") or "") for r in raw)
    assert b"secret-user-42" in bodies                        # with what the client tried to send


def test_without_sinkhole_raw_tcp_is_relayed_and_recorded(proxy_factory, tmp_path):
    """The control: the same client without --sinkhole reaches the echo server, and the capture still records it."""
    echo = EchoServer()
    try:
        proxy = proxy_factory(out_dir=tmp_path / "run", sinkhole=False)
        s = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        with s:
            s.sendall(f"CONNECT 127.0.0.1:{echo.port} HTTP/1.1\r\n\r\n".encode())
            assert s.recv(1024).startswith(b"HTTP/1.1 200")
            s.sendall(PAYLOAD)
            echoed = b""
            while len(echoed) < len(PAYLOAD):
                echoed += s.recv(4096)
        time.sleep(0.3)
        proxy.stop()
    finally:
        echo.close()
    assert echo.accepted == 1 and echoed == PAYLOAD
    rows = [json.loads(x) for x in (tmp_path / "run" / "flows.jsonl").read_text().splitlines()]
    assert any(r.get("port") == echo.port for r in rows)


def test_standalone_mitmdump_with_the_sinkhole_script_does_not_relay_raw_tcp(tmp_path, confdir):
    """The same promise for a plain mitmproxy user (`-s addons/hpa_sinkhole.py`), where the script's hooks run
    before mitmproxy's own layer choice."""
    import signal

    import pytest

    from tests.capture.mitmdump import AVAILABLE, start_mitmdump

    if not AVAILABLE:
        pytest.skip("mitmdump not installed")
    echo = EchoServer()
    out = tmp_path / "out"
    proc, port = start_mitmdump(confdir, out)
    try:
        got = _connect_raw(port, echo.port)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        echo.close()
    assert echo.accepted == 0 and got == b""
    import base64
    rows = [json.loads(x) for x in (out / "flows.jsonl").read_text().splitlines()]
    assert b"secret-user-42" in b"".join(base64.b64decode(r["request_body"]) for r in rows if r["port"] == echo.port)
