"""mitmproxy flow dumps (`mitmdump -w`, `mitmproxy.io.FlowWriter`) -> Flow.

Records are read one at a time with mitmproxy's own tnetstring reader, state migration and
`Flow.from_state` (the same steps as `mitmproxy.io.FlowReader.stream`), so that one bad record
with intact framing is skipped and counted instead of ending the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from cryptography import x509
from mitmproxy import dns as mdns
from mitmproxy import flow as mflow
from mitmproxy import http as mhttp
from mitmproxy import tcp as mtcp
from mitmproxy import udp as mudp
from mitmproxy.io import compat, tnetstring

from ..model import Flow, TLSInfo
from .names import cname_chain, host_name
from .stats import ReadStats
from ..decode.compression import decode_body

PHASE_KEY = "hpa.phase"
MAX_MESSAGES = 10_000           # websocket/TCP messages turned into flows per connection


def _alpn(conn: Any) -> str | None:
    a = getattr(conn, "alpn", None)
    if isinstance(a, bytes):
        a = a.decode("ascii", "replace")
    return a or None


def _cert(f: mflow.Flow) -> tuple[str | None, list[str]]:
    """Subject organisation and DNS names of the upstream server's certificate, when mitmproxy saw one."""
    certs = getattr(f.server_conn, "certificate_list", None) or []
    if not certs:
        return None, []
    c = certs[0]
    try:
        org = c.organization
        sans = [n.value for n in c.altnames if isinstance(n, x509.DNSName)]
    except (ValueError, AttributeError):        # a certificate mitmproxy stored but cryptography cannot parse
        return None, []
    return org, sans


def _tls(f: mflow.Flow) -> TLSInfo | None:
    c = f.client_conn
    if not (c.tls or c.sni or c.tls_version):
        return None
    refused = not c.tls_established and bool(c.error or f.error)
    err = None
    if refused:
        err = c.error or (f.error.msg if f.error else None)
    org, sans = _cert(f)
    return TLSInfo(sni=c.sni, version=c.tls_version, alpn=_alpn(c), intercepted=not refused, error=err,
                   cert_org=org, cert_sans=sans)


def _server_ip(f: mflow.Flow) -> str | None:
    peer = f.server_conn.peername
    return str(peer[0]) if peer else None


def _phase(f: mflow.Flow, phase: str | None) -> str | None:
    p = f.metadata.get(PHASE_KEY) if isinstance(f.metadata, dict) else None
    return p if isinstance(p, str) else phase


def _items(headers: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items(multi=True)]


def _http(f: mhttp.HTTPFlow, phase: str | None) -> Flow:
    req = f.request
    path, _, query = req.path.partition("?")
    raw = req.raw_content or b""
    # get_content() would decode unbounded: decode the raw bytes ourselves, with the same encodings.
    dec = decode_body(raw, req.headers.get("content-encoding"))
    resp = f.response
    error = f.error.msg if f.error else None
    tls = _tls(f)
    if tls and not tls.intercepted:
        error = error or tls.error
    size = None
    if resp is not None:
        size = len(resp.raw_content) if resp.raw_content is not None else None
    return Flow(
        id=f.id,
        host=host_name(req.pretty_host, f.client_conn.sni, req.host),
        time=req.timestamp_start,
        phase=_phase(f, phase),
        method=req.method,
        scheme=req.scheme,
        port=req.port,
        path=path or "/",
        query=query,
        request_headers=_items(req.headers),
        request_body=dec.body,
        status=resp.status_code if resp is not None else None,
        response_headers=_items(resp.headers) if resp is not None else [],
        response_size=size,
        http_version=req.http_version,
        tls=tls,
        origin="proxy",
        kind="http",
        server_ip=_server_ip(f),
        error=error or dec.error,
        body_encoding="mitmproxy:raw",
    )


def _conn_flow(f: mflow.Flow, phase: str | None, kind: str) -> Flow:
    """A flow for a connection without HTTP (TCP/UDP, or a refused TLS handshake)."""
    addr = f.server_conn.address
    tls = _tls(f)
    error = f.error.msg if f.error else None
    if tls and not tls.intercepted:
        kind = "tls"
    return Flow(
        id=f.id,
        host=host_name(f.client_conn.sni, addr[0] if addr else None, _server_ip(f)),
        time=f.timestamp_created,
        phase=_phase(f, phase),
        method="",
        scheme="tls" if tls else "tcp",
        port=addr[1] if addr else 0,
        path="",
        tls=tls,
        origin="proxy",
        kind=kind,
        server_ip=_server_ip(f),
        error=error,
    )


def flow_from_mitm(mitm_flow: mflow.Flow, phase: str | None = None) -> Flow:
    """The main Flow of a mitmproxy flow (for a websocket: the upgrade request; for TCP: the connection)."""
    f = mitm_flow
    if isinstance(f, mhttp.HTTPFlow):
        return _http(f, phase)
    if isinstance(f, mdns.DNSFlow):
        return flows_from_dns(f, phase)[0]
    if isinstance(f, (mtcp.TCPFlow, mudp.UDPFlow)):
        return _conn_flow(f, phase, "websocket")
    return _conn_flow(f, phase, "tls")


def flows_from_dns(f: mdns.DNSFlow, phase: str | None = None) -> list[Flow]:
    """One Flow (kind "dns") per name asked in a mitmproxy DNS flow, with the CNAME chain answered for it."""
    questions = [q.name for q in f.request.questions] if f.request else []
    answers = f.response.answers if f.response else []
    cnames = []
    for rr in answers:
        if rr.type == mdns.types.CNAME:
            try:
                cnames.append((rr.name, rr.domain_name))
            except (ValueError, IndexError, UnicodeError):
                continue
    out = []
    for i, name in enumerate(questions or [""]):
        out.append(Flow(id=f.id if i == 0 else f"{f.id}:q{i}", host=name, time=f.timestamp_created,
                        phase=_phase(f, phase), method="", scheme="dns", port=53, path="", origin="proxy",
                        kind="dns", server_ip=_server_ip(f), error=f.error.msg if f.error else None,
                        cnames=cname_chain(name, cnames) if name else []))
    return out


def flow_from_websocket_message(mitm_flow: mflow.Flow, message: Any, index: int, phase: str | None = None,
                                main: Flow | None = None) -> Flow:
    """The Flow (kind "websocket") of one message a client sent on a websocket or raw TCP/UDP connection
    (`mitmproxy.websocket.WebSocketMessage`, `mitmproxy.tcp.TCPMessage`, `mitmproxy.udp.UDPMessage`); `index` is its
    position among the connection's messages. `main` is the connection's Flow when the caller has it already."""
    main = main or flow_from_mitm(mitm_flow, phase)
    return Flow(
        id=f"{main.id}:m{index}", host=main.host, time=message.timestamp, phase=main.phase, method="",
        scheme=main.scheme, port=main.port, path=main.path, query=main.query,
        request_headers=main.request_headers if main.kind == "http" else [],
        request_body=message.content, tls=main.tls, origin="proxy", kind="websocket",
        server_ip=main.server_ip, body_encoding="mitmproxy:raw",
    )


def flow_from_tls_failure(data: Any, phase: str | None = None, flow_id: str | None = None) -> Flow:
    """A Flow for mitmproxy's `tls_failed_client(data: TlsData)` hook: the client refused the proxy's
    certificate (pinning suspected). No HTTP flow exists for it, so a recorder writes this one."""
    client, server = data.context.client, data.context.server
    addr = server.address
    sni = client.sni
    peer = server.peername
    return Flow(
        id=flow_id or client.id, host=host_name(sni, addr[0] if addr else None), time=client.timestamp_start,
        phase=phase, method="", scheme="tls", port=addr[1] if addr else 443, path="",
        tls=TLSInfo(sni=sni, version=client.tls_version, alpn=_alpn(client), intercepted=False,
                    error=client.error or getattr(data.conn, "error", None)),
        origin="proxy", kind="tls", server_ip=str(peer[0]) if peer else None,
        error=client.error or "client TLS handshake failed",
    )


def flows_from_mitm(mitm_flow: mflow.Flow, phase: str | None = None) -> Iterator[Flow]:
    """Every Flow a mitmproxy flow gives: the main one, then one per message the client sent
    (websocket messages and raw TCP/UDP payloads, kind "websocket")."""
    main = flow_from_mitm(mitm_flow, phase)
    messages: list[Any] = []
    if isinstance(mitm_flow, mhttp.HTTPFlow) and mitm_flow.websocket is not None:
        messages = mitm_flow.websocket.messages
    elif isinstance(mitm_flow, (mtcp.TCPFlow, mudp.UDPFlow)) and main.kind != "tls":
        messages = mitm_flow.messages
    # a raw TCP/UDP connection is told by its messages; its empty connection record only when it has none
    if not (isinstance(mitm_flow, (mtcp.TCPFlow, mudp.UDPFlow)) and any(m.from_client for m in messages)):
        yield main
    if isinstance(mitm_flow, mdns.DNSFlow):
        yield from flows_from_dns(mitm_flow, phase)[1:]
    n = 0
    for i, m in enumerate(messages):
        if not m.from_client:
            continue
        n += 1
        if n > MAX_MESSAGES:
            break
        yield flow_from_websocket_message(mitm_flow, m, i, phase, main)


class CappedReader:
    """A file whose read(n) never asks for more than what is left: a corrupt 4 GB length in a
    capture must not make a reader allocate 4 GB."""

    def __init__(self, fp: IO[bytes], size: int):
        self._fp, self._size = fp, size
        self.name = getattr(fp, "name", None)

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            return self._fp.read()
        if n > 65536:
            n = min(n, max(0, self._size - self._fp.tell()))
        return self._fp.read(n)

    def tell(self) -> int:
        return self._fp.tell()

    def close(self) -> None:
        self._fp.close()


def iter_mitm(fp: IO[bytes], stats: ReadStats) -> Iterator[Flow]:
    """Flows from an open mitmproxy dump; records read and bad records (by reason) are counted in `stats`."""
    skipped = stats.skipped
    while True:
        try:
            loaded = tnetstring.load(fp)
        except ValueError as e:
            if str(e) == "not a tnetstring: empty file":
                return
            # Framing is lost (truncated or corrupt length): nothing after this point can be trusted.
            skipped["mitm_truncated_or_corrupt"] = skipped.get("mitm_truncated_or_corrupt", 0) + 1
            return
        except (TypeError, IndexError, RecursionError, UnicodeDecodeError, OverflowError, MemoryError):
            skipped["mitm_truncated_or_corrupt"] = skipped.get("mitm_truncated_or_corrupt", 0) + 1
            return
        try:
            if not isinstance(loaded, dict):
                raise ValueError("not a flow")
            f = mflow.Flow.from_state(compat.migrate_flow(loaded))
            flows = list(flows_from_mitm(f))
        except Exception:  # noqa: BLE001 - mitmproxy's state loaders raise anything on a bad record
            skipped["bad_mitm_record"] = skipped.get("bad_mitm_record", 0) + 1
            continue
        stats.records += 1
        yield from flows
