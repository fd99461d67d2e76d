"""pcap/pcapng written by scapy: DNS queries, TLS ClientHello SNI, junk, damage, capture-folder merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap
from scapy.layers.tls.all import TLS, TLSClientHello
from scapy.layers.tls.extensions import ServerName, TLS_Ext_ALPN, TLS_Ext_ServerName, ProtocolName
from scapy.utils import PcapNgWriter

from analyzer.errors import InputError
from analyzer.model import Flow, TLSInfo
from analyzer.traffic import JsonlWriter, open_capture
from analyzer.traffic.pcap import parse_client_hello

PHONE, RESOLVER = "10.0.2.15", "10.0.2.3"


def hello(sni: str | None, pad: int = 0) -> bytes:
    ext = [TLS_Ext_ALPN(protocols=[ProtocolName(protocol=b"h2")])]
    if sni:
        ext.insert(0, TLS_Ext_ServerName(servernames=[ServerName(servername=sni.encode())]))
    if pad:
        from scapy.layers.tls.extensions import TLS_Ext_Padding
        ext.insert(0, TLS_Ext_Padding(padding=b"\0" * pad))   # a big hello, as post-quantum key shares make
    return bytes(TLS(msg=[TLSClientHello(ciphers=[0x1301, 0x1302], ext=ext)]))


def dns_query(name: str, sport: int = 40000):
    return Ether() / IP(src=PHONE, dst=RESOLVER) / UDP(sport=sport, dport=53) / DNS(rd=1, qd=DNSQR(qname=name))


def dns_answer(name: str, ip: str):
    return (Ether() / IP(src=RESOLVER, dst=PHONE) / UDP(sport=53, dport=40000)
            / DNS(qr=1, qd=DNSQR(qname=name), an=DNSRR(rrname=name, type="A", rdata=ip)))


def tls(dst: str, payload: bytes, sport: int = 50000, dport: int = 443):
    return Ether() / IP(src=PHONE, dst=dst) / TCP(sport=sport, dport=dport, flags="PA") / Raw(payload)


def packets():
    big = hello("split.example", pad=1800)
    return [
        dns_query("app-measurement.com"),
        dns_query("app-measurement.com", sport=40001),             # repeated: one flow per name
        dns_answer("graph.facebook.com", "157.240.1.1"),
        tls("157.240.1.1", hello(None)),                           # no SNI: named by the DNS answer
        tls("198.51.100.9", hello("api.flo.health")),
        Ether() / IP(src=PHONE, dst="198.51.100.10") / TCP(sport=50001, dport=443, flags="A") / Raw(b"\x17\x03\x03junk"),
        Ether() / IP(src=PHONE, dst=RESOLVER) / UDP(sport=40002, dport=53) / Raw(b"\x00\x01junk"),
        tls("198.51.100.11", big[:1000], sport=50002),             # ClientHello over two segments
        Ether() / IP(src=PHONE, dst="198.51.100.12") / TCP(sport=50003, dport=443) / Raw(b"x" * 50),
        tls("198.51.100.11", big[1000:], sport=50002),
        Ether() / IPv6(src="fd00::2", dst="fd00::1") / UDP(sport=40003, dport=53) / DNS(qd=DNSQR(qname="v6.example")),
        Ether() / IP(src=PHONE, dst="1.1.1.1") / UDP(sport=40004, dport=443) / Raw(b"\xc0quic-initial"),
    ]


def check(flows: list[Flow]) -> None:
    # a name's flow waits for its answer (CNAME chain), so DNS flows come in packet order of their queries, not
    # interleaved with the rest
    dns = sorted((f for f in flows if f.kind == "dns"), key=lambda f: int(f.id.rsplit(":", 1)[1]))
    tlsf = [f for f in flows if f.kind == "tls"]
    assert [f.host for f in dns] == ["app-measurement.com", "graph.facebook.com", "v6.example"]
    assert dns[0].server_ip == RESOLVER and dns[1].server_ip == RESOLVER and dns[2].server_ip == "fd00::1"
    assert [(f.host, f.server_ip, f.tls.sni if f.tls else "-") for f in tlsf] == [
        ("graph.facebook.com", "157.240.1.1", None),
        ("api.flo.health", "198.51.100.9", "api.flo.health"),
        ("split.example", "198.51.100.11", "split.example"),
    ]
    assert all(f.origin == "pcap" and f.port in (53, 443) and f.time for f in flows)


def test_pcap_dns_and_sni(tmp_path: Path) -> None:
    p = tmp_path / "cap.pcap"
    wrpcap(str(p), packets())
    src = open_capture(p)
    assert src.format == "pcap"
    flows = list(src)
    check(flows)
    assert src.stats.skipped == {"pcap_bad_dns": 1}
    assert len({f.id for f in flows}) == len(flows)


def test_pcapng(tmp_path: Path) -> None:
    p = tmp_path / "cap.pcapng"
    with PcapNgWriter(str(p)) as w:
        for pkt in packets():
            w.write(pkt)
    src = open_capture(p)
    check(list(src))


def test_raw_ip_linktype(tmp_path: Path) -> None:
    p = tmp_path / "raw.pcap"
    wrpcap(str(p), [IP(src=PHONE, dst="192.0.2.5") / TCP(dport=443) / Raw(hello("raw.example"))], linktype=101)
    assert [f.host for f in open_capture(p)] == ["raw.example"]


def test_truncated_pcap_counts_damage(tmp_path: Path) -> None:
    p = tmp_path / "cap.pcap"
    wrpcap(str(p), packets())
    data = p.read_bytes()
    p.write_bytes(data[:-80])     # into the IPv6 DNS packet; the QUIC one is gone
    src = open_capture(p)
    flows = list(src)
    assert len([f for f in flows if f.kind == "dns"]) == 2     # the last DNS packet is gone
    assert src.stats.skipped.get("pcap_truncated_frame") == 1


def test_bad_pcap_header_is_input_error(tmp_path: Path) -> None:
    p = tmp_path / "x.pcap"
    p.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00")
    with pytest.raises(InputError):
        open_capture(p)


def test_client_hello_parser_edges() -> None:
    h = hello("a.example")
    assert parse_client_hello(h) == "a.example"
    assert parse_client_hello(hello(None)) is None
    with pytest.raises(ValueError):
        parse_client_hello(b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00")


def test_capture_folder_merges_pcap_only_connections(tmp_path: Path) -> None:
    run = tmp_path / "run1"
    run.mkdir()
    with JsonlWriter(run / "flows.jsonl") as w:
        w.write(Flow(id="p1", host="api.flo.health", tls=TLSInfo(sni="api.flo.health"), server_ip="198.51.100.9",
                     origin="proxy", phase="pre_consent"))
        w.write(Flow(id="p2", host="app-measurement.com", origin="proxy"))
    wrpcap(str(run / "capture.pcap"), packets())
    src = open_capture(run)
    assert src.format == "capture_dir"
    flows = list(src)
    assert [f.id for f in flows[:2]] == ["p1", "p2"]
    extra = [(f.kind, f.host) for f in flows[2:]]
    # seen through the proxy: dropped; bypassing the proxy: kept
    assert ("dns", "app-measurement.com") not in extra and ("tls", "api.flo.health") not in extra
    assert ("tls", "split.example") in extra and ("dns", "graph.facebook.com") in extra
    assert src.stats.flows == len(flows)
    assert flows[-1].source.endswith("capture.pcap")
