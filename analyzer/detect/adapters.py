"""Endpoint adapters: the exact meaning of known fields of common tracker SDK endpoints.

The table lives in data/detect/adapters.json (host suffixes, a path regex, and per-field rules matched on the
normalized key path, first match wins). An adapter adds precision: Meta `advertiser_id` *is* the advertising
ID, app-measurement field 19 *is* the AAID, Adjust `partner_params` *is* free-form user data. Fields no rule
names still go through the generic detectors.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from .knowledge import adapters_raw

ROLES = frozenset({"id", "hashed", "event_name", "params", "pair", "ignore"})


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: str
    role: str
    data_type: str = ""
    details: str = ""
    shape: str = "id"
    values: tuple[str, ...] = ()         # pair: sibling field numbers holding the value


@dataclass(slots=True)
class Adapter:
    name: str
    hosts: tuple[str, ...]
    path_re: re.Pattern[str] | None
    rules: list[tuple[re.Pattern[str], Rule]]
    has_pairs: bool = False              # some rule joins protobuf name/value pairs
    _cache: dict[str, Rule | None] = field(default_factory=dict)

    def rule(self, path: str) -> Rule | None:
        """The first rule matching a normalized key path (lower case), or None."""
        try:
            return self._cache[path]
        except KeyError:
            pass
        r = None
        for rx, rule in self.rules:
            if rx.match(path):
                r = rule
                break
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[path] = r
        return r


def load_adapters() -> list[Adapter]:
    out = []
    for a in adapters_raw():
        rules = []
        for f in a.get("fields", []):
            if f["role"] not in ROLES:
                raise ValueError(f"adapter {a['name']}: unknown role {f['role']!r}")
            rule = Rule(pattern=f["path"].lower(), role=f["role"], data_type=f.get("data_type", ""),
                        details=f.get("details", ""), shape=f.get("shape", "id"),
                        values=tuple(f.get("values", ())))
            rules.append((re.compile(fnmatch.translate(rule.pattern)), rule))
        out.append(Adapter(name=a["name"], hosts=tuple(h.lower() for h in a["hosts"]),
                           path_re=re.compile(a["path"]) if a.get("path") else None, rules=rules,
                           has_pairs=any(r.role == "pair" for _, r in rules)))
    return out


class AdapterTable:
    def __init__(self, adapters: list[Adapter] | None = None):
        self.adapters = adapters if adapters is not None else load_adapters()
        self._by_host: dict[str, list[Adapter]] = {}

    def for_flow(self, host: str, path: str) -> Adapter | None:
        host = (host or "").lower().rstrip(".")
        cands = self._by_host.get(host)
        if cands is None:
            cands = [a for a in self.adapters if any(host == h or host.endswith("." + h) for h in a.hosts)]
            if len(self._by_host) > 10_000:
                self._by_host.clear()
            self._by_host[host] = cands
        for a in cands:
            if a.path_re is None or a.path_re.search(path or "/"):
                return a
        return None
