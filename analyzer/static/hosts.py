"""Host names from an APK's strings: the hosts of URLs, and strings that are a host name and nothing else.

A URL's host is taken as written (a first-party `api.app.example` counts even without a public suffix).
A bare string is only a host when it cannot be something else: not a Java package (reverse-domain order),
not a file name whose extension happens to be a top-level domain, and its suffix is a real one
(tldextract's bundled public suffix list, no network). Rules live in data/static/hosts.json.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..traffic.suffixes import split_domain

DATA = Path(__file__).resolve().parent.parent / "data" / "static" / "hosts.json"

_URL = re.compile(r"(?i)\b(?:https?|wss?)://([^\s/?#\"'<>\\]+)")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")


@dataclass(frozen=True, slots=True)
class HostRules:
    namespace_hosts: frozenset[str]
    reverse_first: frozenset[str]
    gtlds: frozenset[str]
    file_exts: frozenset[str]


@cache
def _rules() -> HostRules:
    d = json.loads(DATA.read_text(encoding="utf-8"))
    return HostRules(frozenset(d["namespace_hosts"]), frozenset(d["reverse_domain_first_labels"]),
                     frozenset(d["bare_host_gtlds"]), frozenset(d["file_extension_tlds"]))


def _clean(authority: str) -> str | None:
    host = authority.rsplit("@", 1)[-1]             # DSNs carry a key before '@'
    if host.startswith("["):                         # IPv6 literal
        return None
    host = host.split(":", 1)[0].rstrip(".").lower()
    if not host or host in _rules().namespace_hosts:
        return None
    try:
        ipaddress.ip_address(host)
        return None if host.startswith("127.") or host == "0.0.0.0" else host
    except ValueError:
        pass
    return host if _HOST.fullmatch(host) else None    # '%s' templates and placeholders fall out here


def hosts_in_text(text: str) -> list[str]:
    """Hosts of the http(s)/ws(s) URLs inside a string."""
    out = []
    for m in _URL.finditer(text):
        host = _clean(m.group(1))
        if host:
            out.append(host)
    return out


def is_bare_host(text: str) -> bool:
    """True when the whole string is a host name (see the module note for what is ruled out)."""
    if not _HOST.fullmatch(text) or text in _rules().namespace_hosts:
        return False
    labels = text.split(".")
    r = _rules()
    last = labels[-1]
    if labels[0] in r.reverse_first or last in r.file_exts:
        return False
    if not (last in r.gtlds or len(last) == 2):
        return False
    return bool(split_domain(text)[1])


def host_candidates(strings: list[str] | tuple[str, ...]) -> set[str]:
    """Hosts from any mix of strings: URLs inside them, or the whole string when it is a host."""
    found: set[str] = set()
    for s in strings:
        if "://" in s:
            found.update(hosts_in_text(s))
        elif is_bare_host(s.strip().lower()) and s.strip() == s.strip().lower():
            found.add(s.strip())
    return found
