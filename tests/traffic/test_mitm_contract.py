"""What the recipients room needs from mitmproxy dumps: the upstream certificate's organisation and names, the CNAME
chain of DNS answers; both kept through hpa JSONL."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509
from mitmproxy import certs, dns
from mitmproxy.test import tflow, tutils

from analyzer.traffic import JsonlWriter, open_capture
from analyzer.traffic.mitm import flow_from_websocket_message, flows_from_dns

from .test_mitm import write_dump


def test_certificate_org_and_sans_through_dump_and_jsonl(tmp_path: Path) -> None:
    key, ca = certs.create_ca("Test CA Org", "Test CA", 2048)
    cert = certs.dummy_cert(key, ca, "graph.facebook.com",
                            [x509.DNSName("*.facebook.com"), x509.DNSName("graph.facebook.com"),
                             x509.IPAddress(ipaddress.ip_address("10.0.0.1"))], organization="Meta Platforms, Inc.")
    f = tflow.tflow(resp=True)
    f.client_conn.sni = "graph.facebook.com"
    f.client_conn.tls_version = "TLSv1.3"
    f.server_conn.certificate_list = [cert]
    [flow] = list(open_capture(write_dump(tmp_path / "d.mitm", [f])))
    assert flow.tls.cert_org == "Meta Platforms, Inc."
    assert flow.tls.cert_sans == ["*.facebook.com", "graph.facebook.com"]
    with JsonlWriter(tmp_path / "f.jsonl") as w:
        w.write(flow)
    [back] = list(open_capture(tmp_path / "f.jsonl"))
    assert back.tls == flow.tls and back.body_encoding == "mitmproxy:raw"


def test_dns_cname_chain(tmp_path: Path) -> None:
    answers = [dns.ResourceRecord.CNAME("metrics.cycle-app.example", "cycle.sc.omtrdc.net"),
               dns.ResourceRecord.CNAME("cycle.sc.omtrdc.net", "edge.omtrdc.net"),
               dns.ResourceRecord.A("edge.omtrdc.net", ipaddress.IPv4Address("192.0.2.7"))]
    q = [dns.Question("metrics.cycle-app.example", dns.types.A, dns.classes.IN)]
    f = tflow.tdnsflow(req=tutils.tdnsreq(questions=q), resp=tutils.tdnsresp(questions=q, answers=answers))
    [flow] = flows_from_dns(f)
    assert (flow.kind, flow.host, flow.cnames) == ("dns", "metrics.cycle-app.example",
                                                  ["cycle.sc.omtrdc.net", "edge.omtrdc.net"])
    [read] = list(open_capture(write_dump(tmp_path / "d.mitm", [f])))
    assert read.cnames == flow.cnames
    with JsonlWriter(tmp_path / "f.jsonl") as w:
        w.write(read)
    assert next(iter(open_capture(tmp_path / "f.jsonl"))).cnames == flow.cnames


def test_websocket_message_converter() -> None:
    f = tflow.twebsocketflow()
    sent = [(i, m) for i, m in enumerate(f.websocket.messages) if m.from_client]
    i, m = sent[0]
    flow = flow_from_websocket_message(f, m, i)
    assert flow.kind == "websocket" and flow.request_body == m.content and flow.id == f"{f.id}:m{i}"
