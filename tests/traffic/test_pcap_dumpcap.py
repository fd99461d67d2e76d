"""Captures written by dumpcap itself on loopback (pcapng and pcap, Ethernet-less loopback and Linux cooked capture,
one or two interfaces, a section comment, interface statistics at the end): the DNS names with their CNAME chain, the
TLS SNI and the cleartext HTTP requests come back."""

from __future__ import annotations

import http.client
import http.server
import json
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR

from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.traffic import open_capture

ADDR = "127.0.0.77"           # a loopback address of its own: the capture filter keeps other tests' traffic out
BODY = json.dumps({"email": "jane.doe@example.org", "cycle_day": 14, "mood": "anxious"}).encode()

pytestmark = pytest.mark.skipif(shutil.which("dumpcap") is None, reason="dumpcap is not installed (apt-get install tshark)")


class _Handler(http.server.BaseHTTPRequestHandler):
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a: object) -> None:
        pass


def _dns_server(sock: socket.socket, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(2048)
        except TimeoutError:
            continue
        q = DNS(data)
        name = q.qd[0].qname
        an = (DNSRR(rrname=name, type="CNAME", rdata="cycle.sc.omtrdc.net.")
              / DNSRR(rrname="cycle.sc.omtrdc.net.", type="A", rdata="192.0.2.7"))
        sock.sendto(bytes(DNS(id=q.id, qr=1, rd=1, ra=1, qd=q.qd, an=an)), peer)


def _traffic() -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind((ADDR, 53))
    udp.settimeout(0.1)
    stop = threading.Event()
    dns_thread = threading.Thread(target=_dns_server, args=(udp, stop), daemon=True)
    dns_thread.start()
    web = http.server.HTTPServer((ADDR, 0), _Handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    tls_srv = socket.create_server((ADDR, 0))
    try:
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(5)
        c.sendto(bytes(DNS(id=7, rd=1, qd=DNSQR(qname="metrics.cycle-app.example"))), (ADDR, 53))
        c.recvfrom(2048)
        c.close()
        # a TLS ClientHello (the server is not TLS: the handshake fails after it, which is all a pcap needs)
        raw = socket.create_connection(tls_srv.getsockname(), timeout=5)
        ctx = ssl.create_default_context()
        threading.Thread(target=lambda: tls_srv.accept()[0].recv(4096), daemon=True).start()
        try:
            ctx.wrap_socket(raw, server_hostname="tracker.example").close()
        except (ssl.SSLError, OSError):
            pass
        conn = http.client.HTTPConnection(ADDR, web.server_address[1], timeout=5)
        conn.request("POST", "/v1/track?app=cycle", body=BODY,
                     headers={"Host": "plain-tracker.example", "Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()
    finally:
        web.shutdown()
        web.server_close()
        stop.set()
        dns_thread.join(5)
        udp.close()
        tls_srv.close()


def capture(path: Path, args: list[str], traffic=None) -> Path:
    """Run dumpcap with `args` (each interface filtered to ADDR) while `traffic()` (default: DNS, TLS, HTTP) runs."""
    with_filters: list[str] = []
    for i, a in enumerate(args):             # a capture filter applies to the interface named before it
        with_filters.append(a)
        if i and args[i - 1] == "-i":
            with_filters += ["-f", f"host {ADDR}"]
    proc = subprocess.Popen(["dumpcap", *with_filters, "-w", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Capturing on" not in (line := proc.stderr.readline()):
            if not line and proc.poll() is not None:
                pytest.fail(f"dumpcap did not start: {proc.stderr.read()}")
        time.sleep(0.5)
        (traffic or _traffic)()
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    return path


@pytest.mark.parametrize("args", [
    ["-i", "lo", "--capture-comment", "hpa test capture"],      # pcapng, loopback (null link type), comment
    ["-i", "any", "-P"],                                        # classic pcap, Linux cooked capture
    ["-i", "any", "-i", "lo"],                                  # pcapng with two interfaces
], ids=["pcapng-lo", "pcap-any", "pcapng-two-interfaces"])
def test_dumpcap_capture_reads_back(tmp_path: Path, args: list[str]) -> None:
    p = capture(tmp_path / "x.pcapng", args)
    src = open_capture(p)
    flows = list(src)
    assert src.stats.skipped == {}, src.stats.skipped
    dns = [f for f in flows if f.kind == "dns"]
    assert [(f.host, f.cnames) for f in dns] == [("metrics.cycle-app.example", ["cycle.sc.omtrdc.net"])]
    assert {f.tls.sni for f in flows if f.kind == "tls"} == {"tracker.example"}
    reqs = [f for f in flows if f.kind == "http"]
    assert len(reqs) == 1          # two interfaces see each segment twice: the copy is a retransmission to TCP
    req = reqs[0]
    assert (req.origin, req.method, req.host, req.path, req.query) == ("pcap", "POST", "plain-tracker.example",
                                                                     "/v1/track", "app=cycle")
    assert req.request_body == BODY and req.server_ip == ADDR


def test_cleartext_http_in_a_pcap_is_analysed(tmp_path: Path) -> None:
    p = capture(tmp_path / "x.pcapng", ["-i", "lo"])
    report = analyze([p], AnalyzeOptions(app_id="org.example.cycle"))
    emails = [d for d in report.data_flows if d.data_type == "personal_info.email"]
    assert emails and emails[0].cleartext and emails[0].evidence[0].flow_id.startswith("x.pcapng:")
    assert report.coverage.cleartext_http == 1


def _quic_client(port: int, version: int = 1, alpn_padding: int = 0) -> None:
    """aioquic's client sends its Initial packets (ClientHello with SNI, HTTP/3 ALPN) on loopback; no server answers.
    `alpn_padding` extra ALPN names make a ClientHello too big for one Initial packet."""
    from aioquic.quic.configuration import QuicConfiguration
    from aioquic.quic.connection import QuicConnection

    alpn = ["h3"] + [f"x-padding-protocol-{i:03d}" for i in range(alpn_padding)]
    conf = QuicConfiguration(is_client=True, alpn_protocols=alpn, server_name="quic-tracker.example",
                             original_version=version, supported_versions=[version])
    conn = QuicConnection(configuration=conf)
    conn.connect((ADDR, port), now=time.time())
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for data, addr in conn.datagrams_to_send(now=time.time()):
        sock.sendto(data, addr)
    sock.close()


def test_quic_initial_names_the_host(tmp_path: Path) -> None:
    pytest.importorskip("aioquic", reason="aioquic (a mitmproxy dependency) is not installed")
    p = capture(tmp_path / "q.pcapng", ["-i", "lo"],
                lambda: (_quic_client(443), _quic_client(8443, version=0x6B3343CF),      # QUIC v1, v2
                         _quic_client(9443, alpn_padding=80)))                          # a ClientHello in 2 packets
    flows = [f for f in open_capture(p) if f.scheme == "quic"]
    assert [(f.host, f.port, f.tls.sni, f.origin) for f in flows] == [
        ("quic-tracker.example", 443, "quic-tracker.example", "pcap"),
        ("quic-tracker.example", 8443, "quic-tracker.example", "pcap"),
        ("quic-tracker.example", 9443, "quic-tracker.example", "pcap")]


def _tls_exchange(keylog: Path, tmp_path: Path) -> None:
    """An HTTPS request over loopback whose client writes its TLS secrets (Python's SSLKEYLOGFILE support)."""
    from cryptography.hazmat.primitives import serialization
    from mitmproxy import certs

    key, ca = certs.create_ca("Test", "Test CA", 2048)
    cert = certs.dummy_cert(key, ca, "secure-tracker.example", [])
    (tmp_path / "srv.pem").write_bytes(cert.to_pem())
    (tmp_path / "srv.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.TraditionalOpenSSL,
                                                         serialization.NoEncryption()))
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(tmp_path / "srv.pem", tmp_path / "srv.key")
    srv = socket.create_server((ADDR, 0))

    def serve() -> None:
        c, _ = srv.accept()
        with sctx.wrap_socket(c, server_side=True) as s:
            data = b""
            while not data.endswith(BODY):
                data += s.recv(65536)
            s.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    cctx = ssl.create_default_context()
    cctx.check_hostname, cctx.verify_mode = False, ssl.CERT_NONE
    cctx.keylog_filename = str(keylog)
    conn = http.client.HTTPSConnection(ADDR, srv.getsockname()[1], context=cctx, timeout=5)
    conn.request("POST", "/collect?v=2", body=BODY,
                 headers={"Host": "secure-tracker.example", "Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()
    t.join(5)
    srv.close()


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_keylog_decrypts_tls_requests(tmp_path: Path) -> None:
    keys = tmp_path / "keys.log"
    p = capture(tmp_path / "tls.pcapng", ["-i", "lo"], lambda: _tls_exchange(keys, tmp_path))
    assert not [f for f in open_capture(p) if f.kind == "http"]           # without the keys: nothing readable
    [req] = [f for f in open_capture(p, keylog=keys) if f.kind == "http"]
    assert (req.scheme, req.method, req.host, req.path, req.query, req.request_body) == (
        "https", "POST", "secure-tracker.example", "/collect", "v=2", BODY)
    report = analyze([p], AnalyzeOptions(app_id="org.example.cycle", keylog=str(keys)))
    assert any(d.data_type == "personal_info.email" for d in report.data_flows)
    # the keys written into the pcapng itself (a Decryption Secrets Block), as PCAPdroid can: no --keylog needed
    dsb = tmp_path / "with-secrets.pcapng"
    subprocess.run(["editcap", "--inject-secrets", f"tls,{keys}", str(p), str(dsb)], check=True, capture_output=True)
    [inside] = [f for f in open_capture(dsb) if f.kind == "http"]
    assert inside.request_body == BODY and inside.host == "secure-tracker.example"
