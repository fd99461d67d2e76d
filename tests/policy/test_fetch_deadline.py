"""A policy URL whose server drips its answer is cut off at the total deadline, headers or body alike."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from analyzer.errors import InputError
from analyzer.policy import read_policy
from analyzer.policy import text as policy_text

STOP = threading.Event()


class _Drip(http.server.BaseHTTPRequestHandler):
    """/body: headers at once, then one byte every 0.3 s (/short: 25 bytes, 0.02 s apart); /headers: the status line, then a header byte every 0.3 s.
    Each drip is bounded (60 bytes) so the server always stops by itself."""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        try:
            pause = 0.02 if self.path == "/short" else 0.3
            if self.path in ("/body", "/short"):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.flush()
                drip = b"We never sell your data. " * (1 if self.path == "/short" else 3)
            else:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                drip = b"X-Slow: " + b"a" * 52
            for i in range(len(drip)):
                if STOP.is_set():
                    return
                self.wfile.write(drip[i:i + 1])
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def drip_server():
    STOP.clear()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    STOP.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path", ["/body", "/headers"])
def test_dripping_server_is_cut_off_at_the_deadline(drip_server: str, path: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_text, "FETCH_DEADLINE", 1.0)
    # each byte comes well within the per-read timeout: only the total deadline can stop this download
    with pytest.raises(InputError, match=r"no complete answer within 1 s"):
        read_policy(drip_server + path)


def test_deadline_long_enough_lets_a_slow_answer_through(drip_server: str) -> None:
    body, _ = policy_text.fetch_url(drip_server + "/short", timeout=5.0, deadline=60.0)
    assert body == b"We never sell your data. "
