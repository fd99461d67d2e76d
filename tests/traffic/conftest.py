"""Fixtures with the real parts: an in-process mitmproxy over real TLS, scapy-built packets."""

from __future__ import annotations

import asyncio
import http.client
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class RealProxy:
    port: int
    confdir: Path
    recorder: Any
    master: Any = None
    loop: Any = None
    thread: Any = None

    def ca_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.confdir / "mitmproxy-ca-cert.pem"))

    def request(self, host: str, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, context: ssl.SSLContext | None = None) -> bytes:
        """A real HTTPS request through the proxy (CONNECT, then TLS trusting the capture CA)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=context or self.ca_context(), timeout=10)
        conn.set_tunnel(host, 443)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            return conn.getresponse().read()
        finally:
            conn.close()


@dataclass
class Recorder:
    """Answers every request itself (sinkhole, no upstream), tags the phase, writes each finished
    flow with mitmproxy's FlowWriter, and records refused TLS handshakes as a TCP flow with its error."""

    dump: Path
    phase: str = "interaction"
    failures: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        from mitmproxy import io
        self._fp = open(self.dump, "wb")
        self._writer = io.FlowWriter(self._fp)

    def request(self, flow: Any) -> None:
        from mitmproxy import http
        flow.metadata["hpa.phase"] = self.phase
        flow.response = http.Response.make(200, b"ok", {"content-type": "text/plain"})

    def response(self, flow: Any) -> None:
        self._writer.add(flow)
        self._fp.flush()

    def tls_failed_client(self, data: Any) -> None:
        from mitmproxy import flow as mflow
        from mitmproxy import tcp
        self.failures.append(data)
        f = tcp.TCPFlow(data.context.client, data.context.server)
        f.error = mflow.Error(data.conn.error or "client TLS handshake failed")
        f.metadata["hpa.phase"] = self.phase
        self._writer.add(f)
        self._fp.flush()

    def close(self) -> None:
        self._fp.close()


@pytest.fixture
def real_proxy(tmp_path: Path) -> Iterator[RealProxy]:
    from mitmproxy import options
    from mitmproxy.tools.dump import DumpMaster

    confdir = tmp_path / "mitmconf"
    confdir.mkdir()
    recorder = Recorder(tmp_path / "flows.mitm")
    holder: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            m = DumpMaster(options.Options(listen_host="127.0.0.1", listen_port=0), with_termlog=False,
                           with_dumper=False)
            # offline: answer in the request hook, never connect upstream
            m.options.update(connection_strategy="lazy", confdir=str(confdir))
            m.addons.add(recorder)
            holder["loop"] = asyncio.get_running_loop()
            holder["master"] = m
            await m.run()
        asyncio.run(main())

    t = threading.Thread(target=run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    addrs: list[Any] = []
    while time.monotonic() < deadline:
        m = holder.get("master")
        if m is not None:
            ps = m.addons.get("proxyserver")
            addrs = ps.listen_addrs() if ps else []
            if addrs and (confdir / "mitmproxy-ca-cert.pem").exists():
                break
        time.sleep(0.02)
    assert addrs, "mitmproxy did not start"
    proxy = RealProxy(port=addrs[0][1], confdir=confdir, recorder=recorder, master=holder["master"],
                      loop=holder["loop"], thread=t)
    try:
        yield proxy
    finally:
        if t.is_alive():
            holder["loop"].call_soon_threadsafe(holder["master"].shutdown)
            t.join(10)
        recorder.close()


def stop_proxy(proxy: RealProxy) -> None:
    proxy.loop.call_soon_threadsafe(proxy.master.shutdown)
    proxy.thread.join(10)
    proxy.recorder.close()


@pytest.fixture
def stop() -> Any:
    return stop_proxy
