"""The simulated app's network stack: requests through an explicit proxy (CONNECT), real TLS trusting the capture CA.

HTTP/1.1 uses http.client's CONNECT tunnel; HTTP/2 uses `h2` on a socket whose ALPN offers h2 first (mitmproxy follows
the client's ALPN order, so this is what gets HTTP/2 end to end, like OkHttp does).
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from .scenario import SimRequest


@dataclass(slots=True)
class SimResult:
    request: SimRequest
    status: int | None
    http_version: str | None
    error: str | None = None


def client_context(ca_cert: Path | str, alpn: list[str]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_cert))  # trusts only the capture CA, like a device with it installed
    ctx.set_alpn_protocols(alpn)
    return ctx


def _auth_header(proxyauth: str | None) -> dict[str, str]:
    if not proxyauth:
        return {}
    return {"Proxy-Authorization": "Basic " + base64.b64encode(proxyauth.encode()).decode()}


def _connect_tunnel(proxy: tuple[str, int], host: str, port: int, proxyauth: str | None, timeout: float) -> socket.socket:
    sock = socket.create_connection(proxy, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    hdrs = "".join(f"{k}: {v}\r\n" for k, v in _auth_header(proxyauth).items())
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n{hdrs}\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("proxy closed the connection during CONNECT")
        buf += chunk
    status = buf.split(b"\r\n", 1)[0]
    if b" 200" not in status:
        sock.close()
        raise ConnectionError(f"proxy refused CONNECT: {status.decode(errors='replace')}")
    return sock


def send_http1(req: SimRequest, proxy: tuple[str, int], ca_cert: Path, proxyauth: str | None = None,
               timeout: float = 10.0) -> SimResult:
    conn = http.client.HTTPSConnection(proxy[0], proxy[1], timeout=timeout,
                                       context=client_context(ca_cert, ["http/1.1"]))
    conn.set_tunnel(req.host, req.port, headers=_auth_header(proxyauth))
    try:
        conn.putrequest(req.method, req.target, skip_accept_encoding=True)
        for k, v in req.headers:
            conn.putheader(k, v.encode("utf-8"))  # http.client would encode str as latin-1 and raise on the rest
        if req.body or req.method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(req.body)))
        conn.endheaders(req.body or None)
        resp = conn.getresponse()
        resp.read()
        return SimResult(req, resp.status, "HTTP/1.1")
    finally:
        conn.close()


def send_http2(req: SimRequest, proxy: tuple[str, int], ca_cert: Path, proxyauth: str | None = None,
               timeout: float = 10.0) -> SimResult:
    import h2.config
    import h2.connection
    import h2.events

    raw = _connect_tunnel(proxy, req.host, req.port, proxyauth, timeout)
    tls = client_context(ca_cert, ["h2", "http/1.1"]).wrap_socket(raw, server_hostname=req.host)
    try:
        if tls.selected_alpn_protocol() != "h2":
            tls.close()
            return send_http1(req, proxy, ca_cert, proxyauth, timeout)
        c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        c.initiate_connection()
        sid = c.get_next_available_stream_id()
        authority = req.host if req.port == 443 else f"{req.host}:{req.port}"
        headers = [(":method", req.method), (":scheme", "https"), (":authority", authority), (":path", req.target)]
        headers += [(k.lower(), v) for k, v in req.headers if k.lower() not in ("host", "connection")]
        if req.body:
            headers.append(("content-length", str(len(req.body))))
        c.send_headers(sid, headers, end_stream=not req.body)
        if req.body:
            # respect the flow-control window (bodies here are small; send in window-sized chunks)
            data = req.body
            while data:
                n = min(len(data), c.local_flow_control_window(sid), c.max_outbound_frame_size)
                if n <= 0:
                    tls.sendall(c.data_to_send())
                    _pump(tls, c)
                    continue
                c.send_data(sid, data[:n], end_stream=len(data) == n)
                data = data[n:]
        tls.sendall(c.data_to_send())
        status = None
        done = False
        while not done:
            chunk = tls.recv(65536)
            if not chunk:
                break
            for ev in c.receive_data(chunk):
                if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                    status = int(dict(ev.headers)[":status"])
                elif isinstance(ev, h2.events.DataReceived):
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, (h2.events.StreamEnded, h2.events.StreamReset)) and ev.stream_id == sid:
                    done = True
            tls.sendall(c.data_to_send())
        c.close_connection()
        tls.sendall(c.data_to_send())
        return SimResult(req, status, "HTTP/2.0")
    finally:
        tls.close()


def _pump(tls: ssl.SSLSocket, c: object) -> None:
    chunk = tls.recv(65536)
    if chunk:
        c.receive_data(chunk)  # type: ignore[attr-defined]


def send(req: SimRequest, proxy: tuple[str, int], ca_cert: Path, proxyauth: str | None = None) -> SimResult:
    """Send one request; a network/TLS failure is returned as the result's error (the app goes on, as apps do)."""
    try:
        fn = send_http2 if req.http2 else send_http1
        return fn(req, proxy, ca_cert, proxyauth)
    except (OSError, ssl.SSLError, http.client.HTTPException, ConnectionError) as e:
        return SimResult(req, None, None, f"{type(e).__name__}: {e}")
