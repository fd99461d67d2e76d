"""pcap / pcapng -> Flow(origin="pcap", kind="dns" | "tls"): what bypassed or refused the proxy.

Fast path (shared/reference/capture-notes.md): scapy's RawPcapReader walks the frames, a
byte-level pre-filter keeps only UDP/TCP port 53 and TCP payloads that open a TLS handshake
record, and a small parser reads the DNS question (and A/AAAA answers, to name later
connections) or the ClientHello SNI. Full scapy dissection is ~50x slower.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Flow, TLSInfo
from .names import cname_chain
from .pcap_file import ReadState, check_header, frames
from .quic import CryptoStream, NotInitial, as_tls_record, looks_initial, open_initial
from .pcap_http import MAX_STREAMS as MAX_HTTP_STREAMS
from .pcap_http import HttpStream, http_flow, starts_request
from .stats import ReadStats, records_skipped

MAX_PENDING = 1024          # TCP streams whose ClientHello spans several segments, kept at once
MAX_HELLO = 16 * 1024       # bytes buffered per such stream
MAX_IP_NAMES = 200_000      # IP -> DNS name entries remembered from answers

# link types (https://www.tcpdump.org/linktypes.html)
_ETHERNET, _NULL, _RAW, _RAW_OLD, _RAW_OBSD, _LOOP = 1, 0, 101, 12, 14, 108
_SLL, _SLL2, _IPV4, _IPV6 = 113, 276, 228, 229
_IPV6_EXT = {0, 43, 60, 51}


@dataclass
class _State:
    skipped: dict[str, int]
    id_prefix: str
    dns_names: set[str] = field(default_factory=set)
    ip_names: dict[str, str] = field(default_factory=dict)
    pending: dict[tuple[bytes, bytes, int, int], bytearray] = field(default_factory=dict)
    pending_meta: dict[tuple[bytes, bytes, int, int], tuple[int, float]] = field(default_factory=dict)
    packets: int = 0
    dns_waiting: dict[str, Flow] = field(default_factory=dict)
    http: dict[tuple[bytes, bytes, int, int], HttpStream] = field(default_factory=dict)
    quic: dict[tuple[bytes, bytes, int, int], CryptoStream] = field(default_factory=dict)
    quic_done: set[tuple[bytes, bytes, int, int]] = field(default_factory=set)


def _skip(st: _State, reason: str) -> None:
    st.skipped[reason] = st.skipped.get(reason, 0) + 1


# -- DNS -------------------------------------------------------------------------------------------

def _dns_name(msg: bytes, pos: int) -> tuple[str, int]:
    """Read a (possibly compressed) name; returns (name, position after it). Raises ValueError."""
    labels: list[str] = []
    end = -1
    jumps = 0
    total = 0
    while True:
        if pos >= len(msg):
            raise ValueError("name past end")
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0 == 0xC0:
            if pos + 1 >= len(msg):
                raise ValueError("pointer past end")
            if end < 0:
                end = pos + 2
            pos = ((n & 0x3F) << 8) | msg[pos + 1]
            jumps += 1
            if jumps > 32:
                raise ValueError("pointer loop")
            continue
        if n & 0xC0:
            raise ValueError("bad label type")
        label = msg[pos + 1: pos + 1 + n]
        if len(label) != n:
            raise ValueError("label past end")
        labels.append(label.decode("ascii", "replace"))
        total += n + 1
        if total > 255:
            raise ValueError("name too long")
        pos += 1 + n
    return ".".join(labels).lower(), (end if end >= 0 else pos)


def parse_dns(msg: bytes) -> tuple[bool, list[str], list[tuple[str, str]], list[tuple[str, str]]]:
    """(is_response, question names, [(ip, asked name)] from A/AAAA answers, [(alias, canonical name)] from CNAME
    answers). Raises ValueError."""
    if len(msg) < 12:
        raise ValueError("short DNS header")
    flags = msg[2] << 8 | msg[3]
    qd, an = msg[4] << 8 | msg[5], msg[6] << 8 | msg[7]
    if qd == 0 or qd > 16 or flags & 0x7800:       # only standard queries
        raise ValueError("not a standard query")
    pos = 12
    names = []
    for _ in range(qd):
        name, pos = _dns_name(msg, pos)
        pos += 4
        names.append(name)
    if pos > len(msg):
        raise ValueError("question past end")
    answers: list[tuple[str, str]] = []
    cnames: list[tuple[str, str]] = []
    is_resp = bool(flags & 0x8000)
    if is_resp:
        for _ in range(min(an, 64)):
            owner, pos = _dns_name(msg, pos)
            if pos + 10 > len(msg):
                break
            rtype = msg[pos] << 8 | msg[pos + 1]
            rdlen = msg[pos + 8] << 8 | msg[pos + 9]
            rdata = msg[pos + 10: pos + 10 + rdlen]
            pos += 10 + rdlen
            if rtype == 1 and len(rdata) == 4 or rtype == 28 and len(rdata) == 16:
                answers.append((str(ipaddress.ip_address(bytes(rdata))), names[0]))
            elif rtype == 5:
                cnames.append((owner, _dns_name(msg, pos - rdlen)[0]))
    return is_resp, names, answers, cnames


# -- TLS ClientHello -------------------------------------------------------------------------------

class Incomplete(Exception):
    """The ClientHello continues in a later segment."""


def parse_client_hello(data: bytes) -> str | None:
    """SNI of a TLS record stream starting with a ClientHello; None without SNI.
    Raises Incomplete when more bytes are needed, ValueError when it is not a ClientHello."""
    if len(data) < 9 or data[0] != 0x16 or data[1] != 0x03 or data[5] != 0x01:
        raise ValueError("not a ClientHello")
    # Handshake messages may span several records: join their payloads.
    hs = bytearray()
    pos = 0
    hs_len = (data[6] << 16) | (data[7] << 8) | data[8]
    while len(hs) < hs_len + 4:
        if pos + 5 > len(data):
            raise Incomplete
        if data[pos] != 0x16:
            raise ValueError("not a handshake record")
        rlen = data[pos + 3] << 8 | data[pos + 4]
        chunk = data[pos + 5: pos + 5 + rlen]
        hs += chunk
        pos += 5 + rlen
        if len(chunk) < rlen:
            if len(hs) >= hs_len + 4:
                break
            raise Incomplete
        if rlen == 0:
            raise ValueError("empty record")
    p = 4 + 2 + 32
    if p >= len(hs):
        raise ValueError("short hello")
    p += 1 + hs[p]                                   # session id
    if p + 2 > len(hs):
        raise ValueError("short hello")
    p += 2 + (hs[p] << 8 | hs[p + 1])                # cipher suites
    if p >= len(hs):
        raise ValueError("short hello")
    p += 1 + hs[p]                                   # compression methods
    if p + 2 > len(hs):
        return None                                  # no extensions
    end = min(len(hs), p + 2 + (hs[p] << 8 | hs[p + 1]))
    p += 2
    while p + 4 <= end:
        etype = hs[p] << 8 | hs[p + 1]
        elen = hs[p + 2] << 8 | hs[p + 3]
        p += 4
        if etype == 0:                               # server_name
            q = p + 2
            stop = min(p + elen, end)
            while q + 3 <= stop:
                ntype, nlen = hs[q], hs[q + 1] << 8 | hs[q + 2]
                name = bytes(hs[q + 3: q + 3 + nlen])
                if ntype == 0 and name:
                    return name.decode("ascii", "replace").lower().rstrip(".")
                q += 3 + nlen
            return None
        p += elen
    return None


# -- frames ----------------------------------------------------------------------------------------

def _l3(data: bytes, linktype: int) -> tuple[int, int]:
    """(IP version, offset of the IP header) for a frame; version 0 when not IP."""
    if linktype == _ETHERNET:
        et = data[12] << 8 | data[13]
        off = 14
        while et in (0x8100, 0x88A8) and len(data) >= off + 4:     # VLAN tags
            et = data[off + 2] << 8 | data[off + 3]
            off += 4
        return (4 if et == 0x0800 else 6 if et == 0x86DD else 0), off
    if linktype in (_RAW, _RAW_OLD, _RAW_OBSD, _IPV4, _IPV6):
        return data[0] >> 4, 0
    if linktype == _SLL:
        et = data[14] << 8 | data[15]
        return (4 if et == 0x0800 else 6 if et == 0x86DD else 0), 16
    if linktype == _SLL2:
        et = data[0] << 8 | data[1]
        return (4 if et == 0x0800 else 6 if et == 0x86DD else 0), 20
    if linktype in (_NULL, _LOOP):
        return data[4] >> 4, 4
    return -1, 0


def _ip_str(raw: bytes) -> str:
    return str(ipaddress.ip_address(raw))


def _flow_id(st: _State, n: int) -> str:
    return f"{st.id_prefix}:{n}"


def _dns_flows(st: _State, msg: bytes, src: bytes, dst: bytes, n: int, ts: float) -> Iterator[Flow]:
    """A name's flow waits for its answer (to carry the CNAME chain), then goes out; unanswered ones at the end."""
    try:
        is_resp, names, answers, cnames = parse_dns(msg)
    except (ValueError, IndexError):
        _skip(st, "pcap_bad_dns")
        return
    for ip, name in answers:
        if len(st.ip_names) < MAX_IP_NAMES:
            st.ip_names[ip] = name
    for name in names:
        if not name or name in st.dns_names or name.endswith(".arpa"):
            continue
        flow = st.dns_waiting.get(name)
        if flow is None:
            flow = Flow(id=_flow_id(st, n), host=name, time=ts, method="", scheme="dns", port=53, path="",
                        origin="pcap", kind="dns", server_ip=_ip_str(src if is_resp else dst))
        if is_resp or len(st.dns_waiting) >= MAX_PENDING:
            st.dns_waiting.pop(name, None)
            st.dns_names.add(name)
            flow.cnames = cname_chain(name, cnames)
            yield flow
        else:
            st.dns_waiting[name] = flow


def _quic(st: _State, payload: bytes, key: tuple[bytes, bytes, int, int], n: int, ts: float) -> Iterator[Flow]:
    """A client Initial: its CRYPTO frames join the connection's; the ClientHello once whole names the host."""
    if key in st.quic_done:
        return
    try:
        _, frames = open_initial(payload)
    except (NotInitial, IndexError):
        return                      # a server's Initial, a later packet type, or not QUIC: nothing to say
    stream = st.quic.get(key)
    if stream is None:
        if len(st.quic) >= MAX_PENDING:
            _skip(st, "pcap_quic_over_bound")
            return
        stream = st.quic[key] = CryptoStream(n, ts)
    hello = stream.add(frames)
    if hello is None or len(hello) > 0xFFFF:
        return
    del st.quic[key]
    if len(st.quic_done) < MAX_IP_NAMES:
        st.quic_done.add(key)
    try:
        sni = parse_client_hello(as_tls_record(hello))
    except (ValueError, IndexError, Incomplete):
        _skip(st, "pcap_bad_client_hello")
        return
    ip = _ip_str(key[1])
    yield Flow(id=_flow_id(st, stream.first_n), host=sni or st.ip_names.get(ip) or ip, time=stream.first_ts,
               method="", scheme="quic", port=key[3], path="", tls=TLSInfo(sni=sni, alpn="h3", intercepted=False),
               origin="pcap", kind="tls", server_ip=ip)


def _http_segment(st: _State, payload: bytes, src: bytes, dst: bytes, sport: int, dport: int, seq: int, n: int,
                  ts: float) -> Iterator[Flow]:
    key = (src, dst, sport, dport)
    stream = st.http.get(key)
    if stream is None:
        if not payload or not starts_request(payload, 0):
            return
        if len(st.http) >= MAX_HTTP_STREAMS:
            _skip(st, "pcap_http_streams_over_bound")
            return
        stream = st.http[key] = HttpStream(st.id_prefix, src, dst, dport, seq)
    if payload:
        yield from stream.feed(payload, seq, n, ts)


def _flush(st: _State) -> Iterator[Flow]:
    """Flows still waiting at the end of the capture: questions never answered, requests cut short."""
    for name, flow in st.dns_waiting.items():
        st.dns_names.add(name)
        yield flow
    st.dns_waiting.clear()
    for stream in st.http.values():
        flow = http_flow(stream, final=True)
        if flow is not None:
            yield flow
    st.http.clear()


def _tls_flow(st: _State, sni: str | None, dst: bytes, dport: int, n: int, ts: float) -> Flow:
    ip = _ip_str(dst)
    host = sni or st.ip_names.get(ip) or ip
    return Flow(id=_flow_id(st, n), host=host, time=ts, method="", scheme="tls", port=dport, path="",
                tls=TLSInfo(sni=sni, intercepted=False), origin="pcap", kind="tls", server_ip=ip)


def _tcp_payload(st: _State, payload: bytes, src: bytes, dst: bytes, sport: int, dport: int,
                 n: int, timer: Callable[[Any], float], meta: Any) -> Iterator[Flow]:
    key = (src, dst, sport, dport)
    buf = st.pending.get(key) if st.pending else None
    if buf is not None:
        buf += payload
        data = bytes(buf)
        first_n, first_ts = st.pending_meta[key]
    elif len(payload) > 5 and payload[0] == 0x16 and payload[1] == 0x03 and payload[5] == 0x01:
        data, first_n, first_ts = payload, n, timer(meta)
    else:
        return
    try:
        sni = parse_client_hello(data)
    except Incomplete:
        if buf is None and len(st.pending) < MAX_PENDING:
            st.pending[key] = bytearray(payload)
            st.pending_meta[key] = (n, first_ts)
        elif buf is not None and len(buf) > MAX_HELLO:
            del st.pending[key], st.pending_meta[key]
            _skip(st, "pcap_bad_client_hello")
        return
    except (ValueError, IndexError):
        if buf is not None:
            del st.pending[key], st.pending_meta[key]
        _skip(st, "pcap_bad_client_hello")
        return
    if buf is not None:
        del st.pending[key], st.pending_meta[key]
    yield _tls_flow(st, sni, dst, dport, first_n, first_ts)


def scan_frames(frames: Iterator[tuple[bytes, int, Any]], timer: Callable[[Any], float],
                st: _State) -> Iterator[Flow]:
    """Flows from (frame bytes, link type, metadata) triples; `timer(metadata)` gives epoch seconds.
    Hot loop: addresses are sliced and times computed only for the few candidate packets."""
    n = 0
    for data, linktype, meta in frames:
        n += 1
        st.packets = n
        try:
            if linktype == _ETHERNET and data[12] == 0x08 and data[13] == 0x00:     # the common case
                ver, o = 4, 14
            else:
                ver, o = _l3(data, linktype)
            if ver == 4:
                l4proto = data[o + 9]
                if (data[o + 6] & 0x1F) or data[o + 7]:      # a later fragment: no L4 header
                    continue
                a_off, a_len = o + 12, 4
                l4 = o + (data[o] & 0x0F) * 4
            elif ver == 6:
                l4proto = data[o + 6]
                a_off, a_len = o + 8, 16
                l4 = o + 40
                hops = 0
                while l4proto in _IPV6_EXT and hops < 8:
                    l4proto, l4 = data[l4], l4 + (data[l4 + 1] + 1) * 8
                    hops += 1
                if l4proto == 44:                             # fragment header
                    if (data[l4 + 2] << 8 | data[l4 + 3]) & 0xFFF8:
                        continue
                    l4proto, l4 = data[l4], l4 + 8
            elif ver == -1:
                _skip(st, "pcap_bad_block" if linktype == -2 else "pcap_unsupported_linktype")
                continue
            else:
                continue
            if l4proto == 17:
                if (data[l4] == 0 and data[l4 + 1] == 53) or (data[l4 + 2] == 0 and data[l4 + 3] == 53):
                    src, dst = data[a_off: a_off + a_len], data[a_off + a_len: a_off + 2 * a_len]
                    yield from _dns_flows(st, data[l4 + 8:], src, dst, n, timer(meta))
                elif len(data) > l4 + 8 and data[l4 + 8] & 0xC0 == 0xC0:       # a QUIC long header
                    payload = data[l4 + 8:l4 + (data[l4 + 4] << 8 | data[l4 + 5])]
                    if looks_initial(payload):
                        src, dst = data[a_off: a_off + a_len], data[a_off + a_len: a_off + 2 * a_len]
                        dport = data[l4 + 2] << 8 | data[l4 + 3]
                        key = (src, dst, data[l4] << 8 | data[l4 + 1], dport)
                        yield from _quic(st, payload, key, n, timer(meta))
            elif l4proto == 6:
                p = l4 + (data[l4 + 12] >> 4) * 4
                if p >= len(data):
                    continue
                sport, dport = data[l4] << 8 | data[l4 + 1], data[l4 + 2] << 8 | data[l4 + 3]
                if sport == 53 or dport == 53:                # DNS over TCP: 2-byte length prefix
                    src, dst = data[a_off: a_off + a_len], data[a_off + a_len: a_off + 2 * a_len]
                    yield from _dns_flows(st, data[p + 2:], src, dst, n, timer(meta))
                elif data[p] == 0x16 or st.pending:
                    src, dst = data[a_off: a_off + a_len], data[a_off + a_len: a_off + 2 * a_len]
                    yield from _tcp_payload(st, data[p:], src, dst, sport, dport, n, timer, meta)
                if st.http or starts_request(data, p):
                    src, dst = data[a_off: a_off + a_len], data[a_off + a_len: a_off + 2 * a_len]
                    # the IP length, not the frame's: Ethernet pads short frames
                    end = o + (data[o + 2] << 8 | data[o + 3]) if ver == 4 else o + 40 + (data[o + 4] << 8 | data[o + 5])
                    seq = int.from_bytes(data[l4 + 4:l4 + 8], "big")
                    yield from _http_segment(st, data[p:end], src, dst, sport, dport, seq, n, timer(meta))
        except IndexError:
            _skip(st, "pcap_truncated_frame")


def _ts(t: float) -> float:
    return t


def iter_pcap(path: Path, stats: ReadStats, id_prefix: str, state: ReadState | None = None) -> Iterator[Flow]:
    """Flows from a pcap/pcapng file (`pcap_file` reads the blocks). Raises PcapError at open when the header is bad;
    damaged records later are counted in `stats.skipped`; `state` tells the caller what else the file held."""
    skipped = stats.skipped
    before = records_skipped(skipped)
    st = _State(skipped=skipped, id_prefix=id_prefix)
    state = state or ReadState()
    with open(path, "rb") as fp:
        check_header(fp)
        fp.seek(0)
        yield from scan_frames(frames(fp, path.stat().st_size, state), _ts, st)
    yield from _flush(st)
    if state.cut:
        _skip(st, "pcap_truncated_frame" if state.cut == 2 else "pcap_truncated_or_corrupt")
    if st.pending:      # ClientHellos cut short at the end of the capture
        skipped["pcap_bad_client_hello"] = skipped.get("pcap_bad_client_hello", 0) + len(st.pending)
    stats.records += max(0, st.packets - (records_skipped(skipped) - before))
