"""hpa recorder: a mitmproxy addon that writes every flow of a capture as it completes.

Standalone:  mitmdump -s addons/hpa_recorder.py --set hpa_out=DIR [--set hpa_phase=pre_consent]
             (add `-s addons/hpa_sinkhole.py --set hpa_sinkhole=true` to answer requests locally)
In-process:  `hpa capture` loads this same file, and the sinkhole's (analyzer/capture/proxy.py).

Writes DIR/flows.jsonl (hpa JSONL, one Flow per line: HTTP, refused TLS, DNS, websocket messages) and DIR/flows.mitm
(native dump of the HTTP flows, readable by mitmproxy.io.FlowReader and mitmproxy itself).
Besides HTTP exchanges it records TLS handshakes the client refused (pinning suspected, SNI kept, tls.intercepted False),
DNS queries (WireGuard mode) and client websocket messages. Files are 0600, DIR 0700: captures hold intimate data.
Every record is made by the traffic room's converters (analyzer.traffic.mitm), so a flow recorded live and the same
flow read back from a dump are the same Flow. Needs the `hpa` package importable in mitmproxy's Python (it is, in
hpa's venv).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from pathlib import Path
from typing import Any

from mitmproxy import ctx, dns, http, io, tls

from analyzer.model import Flow
from analyzer.traffic.jsonl import JsonlWriter
from analyzer.traffic.mitm import (PHASE_KEY, flow_from_mitm, flow_from_tls_failure, flow_from_websocket_message,
                                   flows_from_dns)

log = logging.getLogger(__name__)

PHASES = ("pre_consent", "interaction", "background")


class _Writer(threading.Thread):
    """Writes records off the proxy's event loop: serializing a mitmproxy flow (certificates included) costs ~0.4 ms,
    which would otherwise delay every response. Records are queued in completion order and written in that order."""

    def __init__(self, out: Path, counts: dict[str, int]):
        super().__init__(name="hpa-recorder-writer", daemon=True)
        self.counts = counts
        self.queue: queue.SimpleQueue[tuple[Flow, Any] | None] = queue.SimpleQueue()
        self.jsonl = JsonlWriter(out / "flows.jsonl", append=True)  # append: a restarted proxy keeps earlier flows
        fd = os.open(out / "flows.mitm", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        self.dump_file = os.fdopen(fd, "ab")
        self.dump = io.FlowWriter(self.dump_file)

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            rec, mitm_flow = item
            try:
                self.jsonl.write(rec)  # flushed per line by JsonlWriter
                if mitm_flow is not None:
                    self.dump.add(mitm_flow)
                    if self.queue.empty():
                        self.dump_file.flush()  # a crash loses at most what is still queued
            except Exception as e:  # noqa: BLE001 - keep proxying: a lost record is counted, never fatal
                self.counts["write_errors"] += 1
                log.warning("hpa: could not write flow %s: %s", rec.id, e)
        self.jsonl.close()
        self.dump_file.flush()
        os.fsync(self.dump_file.fileno())
        self.dump_file.close()

    def close(self) -> None:
        self.queue.put(None)
        self.join(timeout=60)


class HpaRecorder:
    def __init__(self) -> None:
        self.out: Path | None = None
        self._writer: _Writer | None = None
        self.counts: dict[str, int] = {"http": 0, "tls_failed": 0, "dns": 0, "websocket": 0, "write_errors": 0}

    # --- options -------------------------------------------------------------------------------------------------
    def load(self, loader: Any) -> None:
        loader.add_option("hpa_out", str, "", "Folder for flows.jsonl and flows.mitm (empty: record nothing).")
        loader.add_option("hpa_phase", str, "", "Phase tag for new flows: pre_consent | interaction | background.")

    def configure(self, updated: set[str]) -> None:
        if "hpa_phase" in updated and ctx.options.hpa_phase not in ("", *PHASES):
            from mitmproxy.exceptions import OptionsError
            raise OptionsError(f"hpa_phase must be one of {', '.join(PHASES)}")
        if "hpa_out" in updated:
            self._close()
            if ctx.options.hpa_out:
                self._open(Path(ctx.options.hpa_out))

    def _open(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(out, 0o700)
        self.out = out
        self._writer = _Writer(out, self.counts)
        self._writer.start()

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._writer = None

    def done(self) -> None:
        self._close()

    # --- helpers ---------------------------------------------------------------------------------------------------
    @staticmethod
    def _phase() -> str | None:
        return ctx.options.hpa_phase or None

    def _write(self, flow: Flow, mitm_flow: Any = None) -> None:
        if self._writer is not None:
            self._writer.queue.put((flow, mitm_flow))

    # --- HTTP ------------------------------------------------------------------------------------------------------
    def requestheaders(self, flow: http.HTTPFlow) -> None:
        # tag at request time: the phase the app was in when it sent the data
        flow.metadata.setdefault(PHASE_KEY, self._phase())

    def response(self, flow: http.HTTPFlow) -> None:
        self._record_http(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._record_http(flow)

    def _record_http(self, flow: http.HTTPFlow) -> None:
        if flow.metadata.get("hpa.recorded"):  # a flow may see response and then error: write it once
            return
        flow.metadata["hpa.recorded"] = True
        self.counts["http"] += 1
        self._write(flow_from_mitm(flow, self._phase()), flow)   # the phase tagged at request time comes first

    # --- TLS refused by the client ---------------------------------------------------------------------------------
    def tls_failed_client(self, data: tls.TlsData) -> None:
        self.counts["tls_failed"] += 1
        self._write(flow_from_tls_failure(data, self._phase()))

    # --- DNS (WireGuard / dns modes) -------------------------------------------------------------------------------
    # Recorded once the answer (or the failure) is known, so the record carries the CNAME chain.
    def dns_response(self, flow: dns.DNSFlow) -> None:
        self._record_dns(flow)

    def dns_error(self, flow: dns.DNSFlow) -> None:
        self._record_dns(flow)

    def _record_dns(self, flow: dns.DNSFlow) -> None:
        if flow.metadata.get("hpa.recorded"):
            return
        flow.metadata["hpa.recorded"] = True
        for rec in flows_from_dns(flow, self._phase()):
            self.counts["dns"] += 1
            self._write(rec)

    # --- websockets ------------------------------------------------------------------------------------------------
    def websocket_message(self, flow: http.HTTPFlow) -> None:
        msg = flow.websocket.messages[-1] if flow.websocket else None
        if msg is None or not msg.from_client:  # what the app sends is what matters
            return
        self.counts["websocket"] += 1
        self._write(flow_from_websocket_message(flow, msg, len(flow.websocket.messages) - 1, self._phase()))


addons = [HpaRecorder()]
