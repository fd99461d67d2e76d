"""The name an app asked for, from the candidates a reader has (Host header, SNI, URL host, address)."""

from __future__ import annotations

import ipaddress


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
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
