"""hpa's reader of tldextract's bundled public suffix list gives what tldextract itself gives.

hpa reads the list without importing tldextract (which pulls in requests at every start); tldextract is the
reference here, on every domain of the knowledge base, their subdomains, and the list's hard cases."""

from __future__ import annotations

import pytest
import tldextract

from analyzer.recipients.domains import registrable_domain, split_host
from analyzer.recipients.kb import load_kb
from analyzer.policy.contacts import registrable
from analyzer.traffic.suffixes import snapshot_path, split_domain, top_level_domains

REFERENCE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)

HARD = [
    "www.ck", "a.www.ck", "b.c.ck", "ck",                        # wildcard *.ck with the !www.ck exception
    "city.kawasaki.jp", "x.city.kawasaki.jp", "foo.kawasaki.jp", "a.foo.kawasaki.jp",
    "bbc.co.uk", "co.uk", "uk", "news.bbc.co.uk",
    "xn--fiqs8s", "api.xn--fiqs8s", "a.b.xn--55qx5d.cn",          # punycode labels match decoded
    "xn--bad-puny--.com", "a.xn--zz", "example", "api.cycle.example", "localhost", "a..com", ".com", "com.",
    "sdk.iad-01.braze.com", "o0.ingest.sentry.io", "app-measurement.com", "graph.facebook.com",
    "s3.amazonaws.com", "foo.blogspot.com", "x.github.io", "a.appspot.com",       # private section: not suffixes
    "tech-03.net", "dnb.celebrus.tech-03.net", "MiXeD.Example.CO.UK",
]


def _hosts() -> list[str]:
    kb = load_kb()
    doms = sorted({d for e in kb for d in getattr(e, "domains", ()) or ()})
    assert len(doms) > 1000
    return HARD + doms + [f"api.{d}" for d in doms[::7]]


def test_snapshot_is_the_one_tldextract_bundles():
    assert snapshot_path().is_file() and snapshot_path().stat().st_size > 100_000


def test_split_domain_equals_tldextract():
    differ = []
    for h in _hosts():
        r = REFERENCE(h)
        if split_domain(h) != ((r.domain, r.suffix) if r.suffix else ("", "")):
            differ.append((h, split_domain(h), (r.domain, r.suffix)))
    assert differ == []


@pytest.mark.parametrize("host, registrable", [
    ("news.bbc.co.uk", "bbc.co.uk"), ("a.b.c.ck", "b.c.ck"), ("www.ck", "www.ck"),
    ("sdk.iad-01.braze.com", "braze.com"), ("foo.blogspot.com", "blogspot.com"), ("api.cycle.example", "cycle.example"),
])
def test_registrable_domain(host, registrable):
    assert registrable_domain(host) == registrable
    assert split_host(host)[1] in registrable


def test_top_level_domains_equal_tldextract():
    # detect.personal checks an e-mail address's TLD against this set
    assert top_level_domains() == frozenset(s.rsplit(".", 1)[-1].lower() for s in REFERENCE.tlds)


def test_policy_registrable_equals_tldextract():
    # policy.contacts: a name outside the list keeps its last two labels (reserved names such as .example)
    for h in _hosts():
        r = REFERENCE(h.lower().rstrip("."))
        want = r.top_domain_under_public_suffix or (
            ".".join(h.lower().rstrip(".").split(".")[-2:]) if "." in h.rstrip(".") and not r.ipv4 else None)
        assert registrable(h) == want, h
