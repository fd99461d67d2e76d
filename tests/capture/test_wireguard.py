"""WireGuard mode for real: a client network namespace tunnels through wireguard-go into the in-process proxy.

Root only (network namespaces, TUN); needs Debian's wireguard-go, wireguard-tools and iproute2. Works offline:
the sinkhole answers the HTTPS request and the DNS query is recorded when it arrives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from analyzer.capture.proxy import ProxyConfig, RunningProxy

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="WireGuard test needs root (network namespaces, TUN device)"),
    pytest.mark.skipif(not all(shutil.which(t) for t in ("wireguard-go", "wg", "ip")),
                       reason="needs wireguard-go, wireguard-tools and iproute2 (apt-get install wireguard-go "
                              "wireguard-tools iproute2)"),
]

HOST_IP, CLIENT_IP = "10.231.7.1", "10.231.7.2"


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
def netns():
    ns = f"hpawg{os.getpid() % 100000}"
    veth_h, veth_c = f"hpah{os.getpid() % 10000}", f"hpac{os.getpid() % 10000}"
    _run("ip", "netns", "add", ns)
    procs: list[subprocess.Popen] = []
    try:
        _run("ip", "link", "add", veth_h, "type", "veth", "peer", "name", veth_c)
        _run("ip", "link", "set", veth_c, "netns", ns)
        _run("ip", "addr", "add", f"{HOST_IP}/24", "dev", veth_h)
        _run("ip", "link", "set", veth_h, "up")
        _run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{CLIENT_IP}/24", "dev", veth_c)
        _run("ip", "netns", "exec", ns, "ip", "link", "set", veth_c, "up")
        _run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield ns, procs
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["ip", "link", "del", veth_h], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _wg_up(ns: str, procs: list, client_conf: str, endpoint: str) -> None:
    key = re.search(r"PrivateKey\s*=\s*(\S+)", client_conf).group(1)
    peer = re.search(r"PublicKey\s*=\s*(\S+)", client_conf).group(1)
    addr = re.search(r"Address\s*=\s*([\d.]+)", client_conf).group(1)
    # foreground (-f) so this test owns the process and can stop it
    procs.append(subprocess.Popen(["ip", "netns", "exec", ns, "wireguard-go", "-f", "wg0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "WG_PROCESS_FOREGROUND": "1"}))
    for _ in range(100):
        if subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "show", "wg0"], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    conf = f"[Interface]\nPrivateKey = {key}\n\n[Peer]\nPublicKey = {peer}\nAllowedIPs = 0.0.0.0/0\nEndpoint = {endpoint}\n"
    _run("ip", "netns", "exec", ns, "sh", "-c", f"umask 077; cat > /tmp/{ns}.conf <<'EOF'\n{conf}EOF\n"
         f"wg setconf wg0 /tmp/{ns}.conf; rm -f /tmp/{ns}.conf")
    _run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{addr}/32", "dev", "wg0")
    _run("ip", "netns", "exec", ns, "ip", "link", "set", "wg0", "up")
    _run("ip", "netns", "exec", ns, "ip", "route", "add", "default", "dev", "wg0")


CLIENT = textwrap.dedent("""
    import socket, ssl, sys
    from scapy.layers.dns import DNS, DNSQR
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(bytes(DNS(id=9, rd=1, qd=DNSQR(qname="app-measurement.com"))), ("10.0.0.53", 53))
    try: s.recv(512)
    except OSError: pass
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    raw = socket.create_connection(("203.0.113.9", 443), timeout=10)
    tls = ctx.wrap_socket(raw, server_hostname="app-measurement.com")
    tls.sendall(b"POST /a HTTP/1.1\\r\\nHost: app-measurement.com\\r\\nContent-Length: 5\\r\\nConnection: close\\r\\n\\r\\nhello")
    print(tls.recv(4096).split(b"\\r\\n")[0].decode())
""")


def test_wireguard_tunnel_records_https_and_dns(netns, confdir, tmp_path):
    ns, procs = netns
    p = RunningProxy(ProxyConfig(out_dir=tmp_path / "run", confdir=confdir, mode="wireguard", listen_host=HOST_IP,
                                 listen_port=51000 + os.getpid() % 800, sinkhole=True, phase="interaction")).start()
    try:
        conf = p.wireguard_client_config()
        assert conf and "[Peer]" in conf
        _wg_up(ns, procs, conf, f"{HOST_IP}:{p.port}")
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, str(p.ca_cert)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("HTTP/1.1 204")
    finally:
        p.stop()
    rows = [json.loads(x) for x in (tmp_path / "run" / "flows.jsonl").read_text().splitlines()]
    http = [x for x in rows if x["kind"] == "http"]
    dns = [x for x in rows if x["kind"] == "dns"]
    assert http and http[0]["host"] == "app-measurement.com" and http[0]["phase"] == "interaction"
    assert any(d["host"] == "app-measurement.com" for d in dns)
