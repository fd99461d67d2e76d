"""Registrable domains and the knowledge base never touch the network: the suffix list bundled with tldextract is
read from its file (tldextract itself is not even imported)."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

from analyzer.recipients import domains
from analyzer.traffic import suffixes
from analyzer.recipients.kb import KB_CACHE, KnowledgeBase, bundled_entries


def _no_network(*a, **k):
    raise AssertionError("network access attempted")


class _NoSocket(socket.socket):
    def __init__(self, *a, **k):
        raise AssertionError("network access attempted")


def test_in_process_with_sockets_blocked(monkeypatch):
    monkeypatch.setattr(socket, "socket", _NoSocket)
    for name in ("create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, _no_network)
    suffixes._trie.cache_clear()                            # read the suffix list again, under the block
    domains.split_host.cache_clear()
    domains.registrable_domain.cache_clear()
    assert domains.registrable_domain("x.y.example.co.uk") == "example.co.uk"
    assert domains.registrable_domain("sdk.fra-01.braze.eu") == "braze.eu"
    kb = KnowledgeBase(bundled_entries())
    assert kb.match_host("api.mixpanel.com").entity == "Mixpanel"


def test_fresh_interpreter_with_sockets_blocked(tmp_path):
    code = textwrap.dedent("""
        import socket
        def no(*a, **k): raise SystemExit("network access attempted")
        # block what reaches out (a local probe socket, as urllib3 opens at import, would be harmless)
        socket.socket.connect = no; socket.socket.connect_ex = no; socket.socket.sendto = no
        socket.create_connection = no; socket.getaddrinfo = no; socket.gethostbyname = no
        from analyzer.recipients import Recipients, registrable_domain
        r = Recipients("com.flo.health", static={"hosts": ["https://api.cycle.example/v1"]})
        print(registrable_domain("a.b.flo.health"), r.contact("graph.facebook.com").entity, r.contact("api.flo.health").party)
        from analyzer.detect.personal import find_email     # checks the TLD against the same list
        from analyzer.policy.contacts import registrable
        print(find_email("to: ana@flo.health"), find_email("ana@flo.notatld"), registrable("privacy.flo.health"))
        import sys
        print("tldextract" in sys.modules, "requests" in sys.modules)
    """)
    env = {"HPA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["flo.health", "Meta", "first", "ana@flo.health", "None", "flo.health", "False", "False"]
    # nothing downloaded or cached from elsewhere: hpa's own cache holds only what it made from its bundled files
    assert [str(f.relative_to(tmp_path)) for f in tmp_path.rglob("*") if f.is_file()] == [".cache/hpa/" + KB_CACHE]
