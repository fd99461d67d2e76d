"""Host names: normalization, IP detection, registrable domains (public suffix list, offline)."""

from __future__ import annotations

from functools import lru_cache

from ..traffic import names
from ..traffic.suffixes import split_domain


def normalize_host(host: str) -> str:
    """Lower-case, without port, brackets or trailing dot: 'API.Flo.Health:443.' -> 'api.flo.health'."""
    h = (host or "").strip().lower()
    if "://" in h:
        h = h.split("://", 1)[1]
    h = h.split("/", 1)[0].split("?", 1)[0]
    if "@" in h:
        h = h.rsplit("@", 1)[1]
    if h.startswith("["):                         # [v6]:port
        return h[1:].split("]", 1)[0]
    if h.count(":") == 1:                         # name:port or v4:port (a bare v6 has several colons)
        h = h.split(":", 1)[0]
    return h.rstrip(".")


@lru_cache(maxsize=65536)
def is_ip(host: str) -> bool:
    """A host, URL or host:port (normalized first) that is an IP address."""
    return names.is_ip(normalize_host(host))


# Reserved top-level names (RFC 2606, RFC 6761): not in the public suffix list, yet used exactly like one
# by test set-ups and demos ('api.cycle.example' belongs to 'cycle.example').
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local", "internal", "lan", "home.arpa"})


@lru_cache(maxsize=65536)
def split_host(host: str) -> tuple[str, str]:
    """(label, suffix) of the registrable domain: 'sdk.iad-01.braze.com' -> ('braze', 'com'); ('', '') when none."""
    h = normalize_host(host)
    if not h or is_ip(h):
        return "", ""
    labels = h.split(".")
    if len(labels) >= 2 and labels[-1] in RESERVED_TLDS:
        return labels[-2], labels[-1]
    label, suffix = split_domain(h)        # tldextract's bundled list, read without importing tldextract
    return (label, suffix) if suffix else ("", "")


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The registrable domain ('eTLD+1') of a host; an IP is returned as is; a name without a public suffix
    (localhost, an internal name) is returned whole."""
    h = normalize_host(host)
    if not h or is_ip(h):
        return h
    label, suffix = split_host(h)
    return f"{label}.{suffix}" if label and suffix else h


def host_suffixes(host: str) -> list[str]:
    """'a.b.c' -> ['a.b.c', 'b.c', 'c']: the keys a suffix table is looked up with, longest first."""
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]
