"""How a host is tied to its company when no domain list names it, and what its categories are when nobody does.

While flows are read, `Clues.observe(flow)` keeps, per host, what the traffic itself says: the DNS CNAME chain
(pcap), the TLS server certificate's organisation and names (mitmproxy), the marks an SDK leaves on its requests
(headers, User-Agent, payload keys, endpoint paths: `data/recipients/sdk_fingerprints.json`) and whether a request
had the shape of an ad request (`data/recipients/ad_request_shapes.json`). Clues are small, picklable and merge,
so parallel chunks each keep their own. When the contacts are finalized, `resolve_contact` decides each host,
strongest evidence first:

  domain_list (set by Recipients.contact) > dns_cname > apk_sdk_hosts (also set by contact) > sdk_fingerprint >
  tls_certificate > inferred (categories only: an advertising ID sent in an ad request -> advertising)

A CNAME to a tracker overrides a first-party look ("CNAME cloaking"); the other clues only name unknown third parties,
so a self-hosted endpoint on the app's own domain stays first party. `rekey_data_flows` then moves each data flow to
the recipient its hosts now have.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..model import Attribution, Contact, DataFlow, Flow
from .domains import is_ip, normalize_host
from .kb import data_dir

if TYPE_CHECKING:
    from .kb import Entry, KnowledgeBase

MAX_HOSTS = 100_000          # clues kept per kind: bounded memory on hostile captures


@dataclass(frozen=True, slots=True)
class Rule:
    entity: str
    source: str
    header: str | None = None
    value: re.Pattern[str] | None = None
    headers_all: tuple[str, ...] = ()
    user_agent: re.Pattern[str] | None = None
    key: str | None = None
    path: re.Pattern[str] | None = None
    needles: tuple[bytes, bytes, bytes, str, str] = (b"", b"", b"", "", "")   # the key as _has_key looks for it

    @classmethod
    def make(cls, **kw: Any) -> "Rule":
        key = kw.get("key")
        if key:
            k = key.encode()
            kw["needles"] = (b'"' + k + b'"', k + b"=", b"&" + k + b"=", key + "=", "&" + key + "=")
        return cls(**kw)


@cache
def fingerprint_rules() -> tuple[Rule, ...]:
    doc = json.loads((data_dir() / "sdk_fingerprints.json").read_text(encoding="utf-8"))
    out = []
    for r in doc["rules"]:
        out.append(Rule.make(
            entity=r["entity"], source=r["source"], header=(r.get("header") or "").lower() or None,
            value=re.compile(r["value"]) if r.get("value") else None,
            headers_all=tuple(h.lower() for h in r.get("headers_all", ())),
            user_agent=re.compile(r["user_agent"]) if r.get("user_agent") else None,
            key=r.get("key"), path=re.compile(r["path"]) if r.get("path") else None))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class AdShapes:
    paths: tuple[re.Pattern[str], ...]
    query_keys: frozenset[str]
    body_keys_all: tuple[tuple[str, ...], ...]


@cache
def ad_shapes() -> AdShapes:
    doc = json.loads((data_dir() / "ad_request_shapes.json").read_text(encoding="utf-8"))
    return AdShapes(tuple(re.compile(p) for p in doc["path_patterns"]), frozenset(k.lower() for k in doc["query_keys"]),
                    tuple(tuple(ks) for ks in doc["body_keys_all"]))


def _has_key(flow: Flow, rule: Rule) -> bool:
    """The rule's payload key as JSON ('"key":'), form or query ('key=')."""
    quoted, first, later, qfirst, qlater = rule.needles
    body = flow.request_body or b""
    query = flow.query
    return (quoted in body or body.startswith(first) or later in body
            or query.startswith(qfirst) or qlater in query)


def sdk_fingerprint(flow: Flow) -> tuple[str, str] | None:
    """(entity, what matched) of the first SDK rule the request meets, or None."""
    headers = {k.lower(): v for k, v in flow.request_headers}
    for r in fingerprint_rules():
        if r.header is not None:
            v = headers.get(r.header)
            if v is None or (r.value is not None and not r.value.search(v)):
                continue
        if r.headers_all and not all(h in headers for h in r.headers_all):
            continue
        if r.user_agent is not None and not r.user_agent.search(headers.get("user-agent", "")):
            continue
        if r.path is not None and not r.path.search(flow.path):
            continue
        if r.key is not None and not _has_key(flow, r):
            continue
        what = ([f"header {r.header}"] if r.header else []) + ([f"headers {', '.join(r.headers_all)}"] if r.headers_all else []) \
            + (["User-Agent"] if r.user_agent else []) + ([f"path {flow.path}"] if r.path else []) + ([f"key {r.key}"] if r.key else [])
        return r.entity, f"{' + '.join(what)} ({r.source})"
    return None


def ad_request_shape(flow: Flow) -> str | None:
    """Why a request looks like an ad request, or None."""
    shapes = ad_shapes()
    for p in shapes.paths:
        if p.search(flow.path):
            return f"path {flow.path}"
    if flow.query:
        keys = {kv.split("=", 1)[0].lower() for kv in flow.query.split("&")}
        hit = sorted(keys & shapes.query_keys)
        if hit:
            return f"query key {hit[0]}"
    body = flow.request_body or b""
    if body[:1] in (b"{", b"["):
        for keys in shapes.body_keys_all:
            if all(b'"' + k.encode() + b'"' in body for k in keys):
                return f"OpenRTB body ({', '.join(keys)})"
    return None


@dataclass(slots=True)
class Clues:
    """What the traffic says about each host, beyond its name."""

    cnames: dict[str, list[str]] = field(default_factory=dict)                     # host -> CNAME chain
    certs: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)   # host -> (org, SANs)
    fingerprints: dict[str, tuple[str, str, str]] = field(default_factory=dict)     # host -> (entity, why, flow id)
    ad_requests: dict[str, tuple[str, str]] = field(default_factory=dict)           # host -> (why, flow id)

    def observe(self, flow: Flow, decided: bool = False) -> None:
        """`decided`: the host's contact is one `resolve_contact` leaves as it is (`is_decided`), so the request's
        SDK marks and ad shape, which only name hosts nobody else names, need not be looked for."""
        host = normalize_host(flow.host)
        if not host:
            return
        if flow.cnames and host not in self.cnames and len(self.cnames) < MAX_HOSTS:
            self.cnames[host] = [normalize_host(c) for c in flow.cnames if c]
        tls = flow.tls
        if tls is not None and (tls.cert_org or tls.cert_sans) and host not in self.certs and len(self.certs) < MAX_HOSTS:
            self.certs[host] = (tls.cert_org, tuple(normalize_host(s) for s in tls.cert_sans[:200]))
        if decided or flow.kind not in ("http", "websocket"):
            return
        if host not in self.fingerprints and len(self.fingerprints) < MAX_HOSTS:
            fp = sdk_fingerprint(flow)
            if fp is not None:
                self.fingerprints[host] = (fp[0], fp[1], flow.id)
        if host not in self.ad_requests and len(self.ad_requests) < MAX_HOSTS:
            why = ad_request_shape(flow)
            if why is not None:
                self.ad_requests[host] = (why, flow.id)

    def merge(self, other: "Clues") -> None:
        for mine, theirs in ((self.cnames, other.cnames), (self.certs, other.certs),
                             (self.fingerprints, other.fingerprints), (self.ad_requests, other.ad_requests)):
            for k, v in theirs.items():
                mine.setdefault(k, v)


# -------------------------------------------------------------------------------------------- deciding a contact

def _tracker(kb: "KnowledgeBase", name: str) -> "Entry | None":
    e = kb.match_host(name)
    return e if e is not None and not e.is_service_provider else None


def by_cname(kb: "KnowledgeBase", host: str, chain: list[str]) -> tuple["Entry", Attribution] | None:
    for i, name in enumerate(chain):
        e = _tracker(kb, name)
        if e is not None:
            path = " -> ".join([host, *chain[: i + 1]])
            return e, Attribution("dns_cname", f"CNAME chain {path} ({e.file_for_domain(e.matched or '')}: {e.matched})")
    return None


def by_certificate(kb: "KnowledgeBase", host: str, org: str | None, sans: tuple[str, ...]) -> tuple["Entry", Attribution] | None:
    """A certificate names the company when its other names all belong to one known tracker company, or when its
    subject organisation is one. Shared CDN certificates name their CDN (a service provider) and decide nothing."""
    owners: dict[str, tuple["Entry", str]] = {}
    for san in sans:
        name = san[2:] if san.startswith("*.") else san
        if not name or name == host or host.endswith("." + name) and san.startswith("*."):
            continue
        e = kb.match_host(name)
        if e is not None:
            owners.setdefault(e.entity, (e, san))
    trackers = {k: v for k, v in owners.items() if not v[0].is_service_provider}
    if len(trackers) == 1 and len(owners) == 1:
        e, san = next(iter(trackers.values()))
        return e, Attribution("tls_certificate", f"server certificate of {host} also names {san} ({e.entity})")
    if org:
        ent = kb.entity(org)
        if ent is not None and not ent.is_service_provider:
            return ent, Attribution("tls_certificate", f"server certificate of {host}: organisation {org!r}")
    return None


def apply(contact: Contact, e: "Entry", how: Attribution, kb: "KnowledgeBase") -> None:
    contact.entity = e.entity
    contact.owners = kb.owner_chain(e.entity)[1:]
    contact.categories = list(e.categories)
    contact.party = "service_provider" if e.is_service_provider else "third"
    contact.attribution = how


def is_decided(contact: Contact) -> bool:
    """A domain list or the APK's own SDK hosts named it: no clue of the traffic changes that."""
    return contact.attribution is not None and contact.attribution.method in ("domain_list", "apk_sdk_hosts")


def resolve_contact(contact: Contact, clues: Clues, kb: "KnowledgeBase", ad_id_hosts: set[str]) -> bool:
    """Decide a contact the domain lists left open; True when it changed."""
    if is_decided(contact):
        return False
    host = normalize_host(contact.host)
    if is_ip(host):                 # a bare address: no name to tie to anyone
        return False
    chain = clues.cnames.get(host)
    if chain:
        hit = by_cname(kb, host, chain)
        if hit is not None:
            apply(contact, *hit, kb)
            return True
    if contact.party == "first" or contact.entity is not None:
        return False
    fp = clues.fingerprints.get(host)
    if fp is not None:
        e = kb.entity(fp[0])
        if e is not None:
            apply(contact, e, Attribution("sdk_fingerprint", f"{fp[1]}, flow {fp[2]}"), kb)
            return True
    cert = clues.certs.get(host)
    if cert is not None:
        hit = by_certificate(kb, host, *cert)
        if hit is not None:
            apply(contact, *hit, kb)
            return True
    ad = clues.ad_requests.get(host)
    if ad is not None and host in ad_id_hosts:
        contact.categories = ["advertising"]
        contact.party = "third"     # an ad exchange of its own, not merely a domain nobody is known to run
        contact.attribution = Attribution(
            "inferred", f"no list names {contact.domain}; it received the advertising ID in an ad request ({ad[0]}, flow {ad[1]})")
        return True
    return False


# -------------------------------------------------------------------------------------------- data flows follow

def evidence_host(url: str | None) -> str:
    if not url:
        return ""
    rest = url.split("://", 1)[1] if "://" in url else url
    return normalize_host(re.split(r"[/?#…]", rest, maxsplit=1)[0])


def ad_id_hosts(data_flows: dict[Any, DataFlow]) -> set[str]:
    """Hosts that received the advertising ID, from the evidence kept."""
    out: set[str] = set()
    for df in data_flows.values():
        if "advertising_id" in df.details:
            out.update(evidence_host(ev.url) for ev in df.evidence)
    return out


def rekey_data_flows(data_flows: dict[tuple[str, str], DataFlow], counts: Counter[tuple[str, str]],
                     changed: dict[str, Contact]) -> tuple[dict[tuple[str, str], DataFlow], Counter[tuple[str, str]]]:
    """Move each data flow to the recipient its hosts now have. A data flow whose evidence spans hosts decided
    differently is split by host; the moved part counts the requests kept as evidence (the rest stay)."""
    if not changed:
        return data_flows, counts
    out: dict[tuple[str, str], DataFlow] = {}
    out_counts: Counter[tuple[str, str]] = Counter()

    def put(key: tuple[str, str], df: DataFlow, n: int) -> None:
        if key in out:
            out[key].merge(df)
        else:
            out[key] = df
        out_counts[key] += n

    for key, df in data_flows.items():
        moved: dict[str, list] = {}
        stay = []
        for ev in df.evidence:
            h = evidence_host(ev.url)
            (moved.setdefault(h, []) if h in changed else stay).append(ev)
        total = counts.get(key, len(df.evidence))
        if not moved:
            put(key, df, total)
            continue
        if not stay and len({(changed[h].entity or changed[h].domain) for h in moved}) == 1:
            c = changed[next(iter(moved))]
            df.recipient = c.recipient()
            put((key[0], c.entity or c.domain), df, total)
            continue
        n_moved = 0
        for h, evs in moved.items():
            c = changed[h]
            part = DataFlow(data_type=df.data_type, recipient=c.recipient(), details=list(df.details), evidence=evs,
                            methods=list(df.methods), confidence=df.confidence, phases=list(df.phases), cleartext=df.cleartext)
            put((key[0], c.entity or c.domain), part, len(evs))
            n_moved += len(evs)
        df.evidence = stay
        put(key, df, max(total - n_moved, len(stay)))
    return out, out_counts
