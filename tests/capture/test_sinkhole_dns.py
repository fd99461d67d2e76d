"""DNS under --sinkhole: a query resolved upstream carries its name (an Android ID as a sub-domain) to the tracker's
own name servers, so the sinkhole answers it itself, before mitmproxy's resolver could look it up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from mitmproxy import dns
from mitmproxy.test import taddons, tflow

from analyzer.capture.proxy import ProxyConfig, RunningProxy, load_sinkhole_module

from .test_wireguard import HOST_IP, _wg_up, netns, pytestmark  # noqa: F401 - the fixture and the root/tool skips

LEAKY = "9774d56d682e549c.collect.tracker.example"


def test_sinkhole_answers_dns_itself() -> None:
    from mitmproxy.addons.proxyserver import Proxyserver

    sink = load_sinkhole_module().HpaSinkhole()
    with taddons.context(sink, Proxyserver()) as tctx:  # connection_strategy is a proxyserver option
        tctx.configure(sink, hpa_sinkhole=True)
        f = tflow.tdnsflow()
        f.response = None
        f.request.questions = [dns.Question(LEAKY, dns.types.A, dns.classes.IN),
                               dns.Question(LEAKY, dns.types.AAAA, dns.classes.IN),
                               dns.Question(LEAKY, dns.types.TXT, dns.classes.IN)]
        sink.dns_request(f)
    assert f.response is not None and f.metadata["hpa.sinkhole"] is True
    assert sorted((a.name, str(a)) for a in f.response.answers) == [(LEAKY, "192.0.2.1"), (LEAKY, "2001:db8::1")]


CLIENT = textwrap.dedent("""
    import socket, sys
    from scapy.layers.dns import DNS, DNSQR
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
    s.sendto(bytes(DNS(id=7, rd=1, qd=DNSQR(qname=sys.argv[1]))), ("10.0.0.53", 53))
    try:
        r = DNS(s.recv(512))
        print(r.rcode, [a.rdata for a in (r.an or [])])
    except OSError as e:
        print("no answer", e)
""")


def test_wireguard_dns_is_answered_by_the_sinkhole_not_looked_up(netns, confdir, tmp_path):
    ns, procs = netns
    p = RunningProxy(ProxyConfig(out_dir=tmp_path / "run", confdir=confdir, mode="wireguard", listen_host=HOST_IP,
                                 listen_port=51000 + (os.getpid() + 7) % 800, sinkhole=True)).start()
    try:
        chain = [type(a).__name__ for a in p.master.addons.chain]
        assert chain.index("HpaSinkhole") < chain.index("DnsResolver")       # where `-s` scripts run
        _wg_up(ns, procs, p.wireguard_client_config() or "", f"{HOST_IP}:{p.port}")
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, LEAKY],
                           capture_output=True, text=True, timeout=60)
    finally:
        p.stop()
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "0 ['192.0.2.1']", r.stdout                   # NOERROR, the sinkhole's address
