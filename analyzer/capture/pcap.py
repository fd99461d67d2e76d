"""Packet capture during a run: DNS queries and TLS SNI of connections that bypassed or refused the proxy.

dumpcap (Wireshark's capture engine, Debian package) when present: it writes straight to disk in its own process.
Otherwise scapy's AsyncSniffer streaming into a PcapWriter. Needs root (or capture capabilities); without them the run
goes on without a pcap and meta.json says why.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CaptureError

MISSING_LIBPCAP = "packet capture needs libpcap to filter packets: apt-get install libpcap0.8"


@dataclass
class PcapResult:
    captured: bool
    path: str | None = None
    tool: str | None = None
    interface: str | None = None
    bpf: str | None = None
    packets: int | None = None
    reason: str | None = None        # why there is no pcap

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def proxy_exclusion_filter(proxy_port: int | None) -> str:
    """Leave out the app <-> proxy leg (already in the flows): everything else is what bypassed the proxy."""
    return f"not (host 127.0.0.1 and tcp port {proxy_port})" if proxy_port else ""


@dataclass
class PcapCapture:
    path: Path
    interface: str = "any"
    bpf: str = ""
    prefer: str = "auto"              # auto | dumpcap | scapy
    _proc: subprocess.Popen[bytes] | None = None
    _sniffer: Any = None
    _writer: Any = None
    _count: int = 0
    tool: str | None = None

    def start(self) -> "PcapCapture":
        if os.geteuid() != 0 and self.prefer != "dumpcap":
            raise CaptureError("packet capture needs root (or dumpcap with capture capabilities)")
        use_dumpcap = self.prefer == "dumpcap" or (self.prefer == "auto" and shutil.which("dumpcap"))
        if use_dumpcap:
            self._start_dumpcap()
        else:
            self._start_scapy()
        return self

    def _start_dumpcap(self) -> None:
        cmd = ["dumpcap", "-q", "-i", self.interface, "-P", "-w", str(self.path)]  # -P: classic pcap, what every reader takes
        if self.bpf:
            cmd += ["-f", self.bpf]
        # own process group so a Ctrl-C on the terminal reaches hpa first and hpa stops dumpcap cleanly
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.time() + 5
        while time.time() < deadline:  # dumpcap creates the file once the capture is running
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode(errors="replace").strip()
                raise CaptureError(f"dumpcap failed: {err or self._proc.returncode}")
            if self.path.exists() and self.path.stat().st_size > 0:
                break
            time.sleep(0.02)
        os.chmod(self.path, 0o600)
        self.tool = "dumpcap"

    def _start_scapy(self) -> None:
        import ctypes.util

        from scapy.all import AsyncSniffer
        from scapy.utils import PcapWriter

        if self.bpf and ctypes.util.find_library("pcap") is None:    # scapy compiles filters with libpcap
            raise CaptureError(f"{MISSING_LIBPCAP}; or install dumpcap (apt-get install tshark)")

        from ..errors import route_library_warnings

        route_library_warnings()    # scapy's own WARNING lines become hpa's one-liners

        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._writer = PcapWriter(os.fdopen(fd, "wb"), sync=True)

        def keep(pkt: Any) -> None:  # streamed to disk: memory stays flat on long runs
            self._writer.write(pkt)
            self._count += 1

        kw: dict[str, Any] = {"prn": keep, "store": False}
        if self.interface != "any":
            kw["iface"] = self.interface
        if self.bpf:
            kw["filter"] = self.bpf
        self._sniffer = AsyncSniffer(**kw)
        self._sniffer.start()
        time.sleep(0.2)  # the socket is bound asynchronously; give it a moment before traffic starts
        self.tool = "scapy"

    def stop(self) -> PcapResult:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGINT)  # dumpcap flushes and closes the file on SIGINT
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
            return PcapResult(True, str(self.path), "dumpcap", self.interface, self.bpf or None, count_packets(self.path))
        if self._sniffer is not None:
            self._sniffer.stop()
            self._writer.close()
            self._sniffer = None
            return PcapResult(True, str(self.path), "scapy", self.interface, self.bpf or None, self._count)
        return PcapResult(False, reason="not started")


def count_packets(path: Path) -> int:
    """Packets in a pcap/pcapng file, with the readers' block reader (a tail cut by a kill is not counted)."""
    from ..traffic.pcap_file import PcapError, ReadState, frames

    n = 0
    try:
        with open(path, "rb") as fp:
            for _ in frames(fp, path.stat().st_size, ReadState()):
                n += 1
    except (OSError, PcapError, ValueError):
        pass
    return n


def try_start(path: Path, interface: str, bpf: str) -> tuple[PcapCapture | None, PcapResult | None]:
    """Start a capture, or explain why not (the run goes on without a pcap)."""
    try:
        return PcapCapture(path, interface, bpf).start(), None
    except (CaptureError, OSError) as e:
        return None, PcapResult(False, reason=str(e))
