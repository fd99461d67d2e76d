"""The name an app asked for, from the candidates a reader has (Host header, SNI, URL host, address)."""

from __future__ import annotations

import ipaddress


def is_ip(host: str) -> bool:
    """An IPv4 or IPv6 address, bare or in brackets ('[::1]')."""
    if host[:1] == "[" and host[-1:] == "]":
        host = host[1:-1]
    if ":" not in host and not host.replace(".", "").isdigit():
        return False            # a name: an IPv6 address has a colon, an IPv4 one only digits and dots
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_name(*candidates: str | None) -> str:
    """The first candidate that is a name; else the first non-empty one (an IP)."""
    present = [c for c in candidates if c]
    for c in present:
        if not is_ip(c):
            return c
    return present[0] if present else ""


def cname_chain(name: str, cnames: list[tuple[str, str]], limit: int = 16) -> list[str]:
    """The CNAME targets followed from `name` through (alias, canonical) answer records, in order (loops cut)."""
    table = {}
    for alias, target in cnames:
        table.setdefault(alias.lower().rstrip("."), target.lower().rstrip("."))
    chain: list[str] = []
    cur = name.lower().rstrip(".")
    while cur in table and len(chain) < limit:
        cur = table[cur]
        if cur in chain or cur == name:
            break
        chain.append(cur)
    return chain
