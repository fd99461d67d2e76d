"""HTTP/1.x requests inside TLS connections of a pcap, decrypted by tshark with an SSLKEYLOGFILE (`--keylog FILE`)
or with the secrets a pcapng carries itself (Decryption Secrets Block).

tshark lists the connections that opened with a ClientHello, then follows each one (`-z follow,tls,raw,N`): the
decrypted bytes the client sent go through the same HTTP/1.x reassembly as cleartext (`pcap_http`). Connections
that spoke HTTP/2 after decryption are counted (`tls_http2_not_decoded`), not read. Without tshark the keys are
unused and that is said (`keylog_without_tshark`).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Flow, TLSInfo
from .pcap_http import HttpStream, http_flow, starts_request
from .stats import ReadStats

MAX_STREAMS = 2000              # connections followed per capture
TIMEOUT = 600
_FILTER = re.compile(r"^Filter: tcp\.stream eq (\d+)$")


def check_keylog(keylog: str | Path) -> Path:
    p = Path(keylog)
    if not p.is_file():
        raise InputError(p, "no such key log file")
    with open(p, "rb") as fp:
        head = fp.read(4096)
    if head and not re.search(rb"^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|"
                              rb"SERVER_HANDSHAKE_TRAFFIC_SECRET|#)", head, re.M):
        raise InputError(p, "not an SSLKEYLOGFILE (NSS key log format)")
    return p


def _tshark(args: list[str]) -> str:
    tshark = shutil.which("tshark")
    assert tshark is not None
    return subprocess.run([tshark, *args], capture_output=True, text=True, timeout=TIMEOUT,
                          errors="replace").stdout


def decrypted_flows(path: Path, keylog: Path | None, stats: ReadStats, id_prefix: str) -> Iterator[Flow]:
    """`keylog` None: the secrets are inside the pcapng (a Decryption Secrets Block, as PCAPdroid and
    `editcap --inject-secrets` write), tshark uses them by itself."""
    if shutil.which("tshark") is None:
        stats.skip("keylog_without_tshark")
        return
    opt = ["-r", str(path)] + (["-o", f"tls.keylog_file:{keylog}"] if keylog else [])
    listing = _tshark([*opt, "-Y", "tls.handshake.type == 1", "-T", "fields", "-E", "separator=\t",
                       "-e", "tcp.stream", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "ip.dst",
                       "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tls.handshake.extensions_server_name"])
    streams: dict[int, tuple[int, float, str, int, str]] = {}
    for line in listing.splitlines():
        cols = line.split("\t")
        if len(cols) < 7 or not cols[0].isdigit() or int(cols[0]) in streams:
            continue
        try:
            streams[int(cols[0])] = (int(cols[1]), float(cols[2]), cols[3] or cols[4], int(cols[5]), cols[6])
        except ValueError:
            continue
    if not streams:
        return
    follow = []
    for sid in list(streams)[:MAX_STREAMS]:
        follow += ["-z", f"follow,tls,raw,{sid}"]
    if len(streams) > MAX_STREAMS:
        stats.skip("tls_streams_over_bound", len(streams) - MAX_STREAMS)
    out = _tshark([*opt, "-q", *follow])
    for sid, sent in _followed(out).items():
        n, ts, dst, dport, sni = streams[sid]
        if sent.startswith(b"PRI * HTTP/2.0"):
            stats.skip("tls_http2_not_decoded")
            continue
        if not starts_request(sent, 0):
            continue
        try:
            packed = ipaddress.ip_address(dst).packed
        except ValueError:
            continue
        stream = HttpStream(id_prefix, b"", packed, dport, 0)
        flows = list(stream.feed(sent, 0, n, ts))
        last = http_flow(stream) if stream.buf else None
        for flow in flows + ([last] if last else []):
            flow.scheme, flow.body_encoding = "https", "tls-decrypted"
            flow.host = sni or flow.host
            flow.tls = TLSInfo(sni=sni or None, intercepted=True)
            yield flow


def _followed(out: str) -> dict[int, bytes]:
    """The bytes the client sent, per followed stream: the direction whose data begins with a request line."""
    result: dict[int, bytes] = {}
    sid = None
    sides: dict[bool, bytearray] = {}
    for line in out.splitlines() + ["===="]:
        if line.startswith("===="):
            if sid is not None:
                for data in sides.values():
                    if starts_request(bytes(data[:8]), 0) or data.startswith(b"PRI * HTTP/2.0"):
                        result[sid] = bytes(data)
                        break
            sid, sides = None, {}
            continue
        m = _FILTER.match(line)
        if m:
            sid = int(m.group(1))
            continue
        hexdata = line.strip()
        if sid is None or not hexdata or line.startswith(("Node ", "Follow:")):
            continue
        try:
            chunk = bytes.fromhex(hexdata)
        except ValueError:
            continue
        sides.setdefault(line.startswith("\t"), bytearray()).extend(chunk)
    return result
