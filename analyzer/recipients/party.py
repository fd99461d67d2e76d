"""Who is on the other end of a connection: the app itself (first party), a processor running things for it
(service provider), a known tracker or other company (third party), or neither known (unknown).

The app's own domains come from its package name, the `first_party_domains` the user gave (apps.csv), hosts found
in its APK, and the controller's addresses in its privacy policy. A company's own domains are first party for its
own apps (a Google app talking to google.com).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import urlsplit

from ..model import Attribution, Contact, DataFlow, Field
from .attribution import Clues, ad_id_hosts, rekey_data_flows, resolve_contact
from .domains import is_ip, normalize_host, registrable_domain, split_host
from .kb import Entry, KnowledgeBase, load_kb, read_lines

_EMAIL = re.compile(r"[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


@lru_cache(maxsize=1)
def _generic_domains() -> frozenset[str]:
    return frozenset(read_lines("generic_domains.txt"))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(read_lines("package_stopwords.txt"))


def package_domains(app_id: str | None) -> tuple[list[str], list[str]]:
    """Domains and domain labels a package name suggests: 'com.flo.health' -> (['flo.com', 'flo.health'],
    ['flo', 'flohealth']); 'fr.doctolib.www' -> (['doctolib.fr'], ['doctolib']). Generic words are left out."""
    if not app_id:
        return [], []
    comps = [c for c in app_id.lower().replace("_", "-").split(".") if c]
    if len(comps) < 2:
        return [], []
    stop = _stopwords()
    domains: list[str] = []
    reverse = ".".join(reversed(comps))                 # 'health.flo.com' -> registrable 'flo.com'
    label, suffix = split_host(reverse)
    if label and suffix and label not in stop:
        domains.append(f"{label}.{suffix}")
    for i in range(1, len(comps) - 1):                  # 'flo.health' read forwards, when it ends on a public suffix
        label, suffix = split_host(".".join(comps[i:]))
        if label and suffix and label not in stop and f"{label}.{suffix}" not in domains:
            domains.append(f"{label}.{suffix}")
    labels: list[str] = []
    org = comps[1]
    if org not in stop and len(org) >= 3:
        labels.append(org)
        if len(comps) > 2 and comps[2] not in stop:
            labels.append(org + comps[2])             # 'flohealth'
    for d in domains:
        lab = d.split(".", 1)[0]
        if lab not in labels and len(lab) >= 3:
            labels.append(lab)
    return domains, labels


def _host_of(text: str) -> str:
    t = text.strip()
    if "://" in t:
        try:
            return normalize_host(urlsplit(t).hostname or "")
        except ValueError:
            return ""
    return normalize_host(t.lstrip("*."))


class Recipients:
    """`contact(host) -> Contact` with the party, company and categories of a host, cached per host."""

    def __init__(self, app_id: str | None, first_party_domains: Iterable[str] = (), static: dict[str, Any] | None = None,
                 policy: dict[str, Any] | None = None, kb: KnowledgeBase | None = None):
        self.app_id = app_id
        self.kb = kb or load_kb()
        self._explicit: dict[str, str] = {}          # host suffix -> why (the user said so: apps.csv)
        self._inferred: dict[str, str] = {}          # registrable domain -> why
        self._cache: dict[str, tuple[str, str, str | None, tuple[str, ...], str, Attribution | None]] = {}
        # hosts found as strings inside an SDK's classes (hpa.static/1 `sdk_hosts`, when the scan gives them)
        self._sdk_hosts: dict[str, tuple[Entry, str]] = self._read_sdk_hosts(static or {})

        pkg_domains, self._labels = package_domains(app_id)
        self.own_entities: set[str] = set()
        for d in pkg_domains:
            e = self.kb.match_host(d)
            if e is not None:
                self.own_entities.add(e.entity)  # a Google app: Google's domains are its own
            else:
                self._inferred.setdefault(d, f"derived from the package name {app_id}")
        if isinstance(first_party_domains, str):          # 'a.com;b.com' as written in a CSV cell
            first_party_domains = re.split(r"[,;\s]+", first_party_domains)
        for d in first_party_domains or ():
            h = _host_of(d) if isinstance(d, str) else ""
            if h:
                self._explicit.setdefault(h, "given as a first-party domain")
        for h in (static or {}).get("hosts") or []:
            if isinstance(h, str) and _host_of(h) not in self._sdk_hosts:     # an SDK's host is not the app's
                self._add_inferred(_host_of(h), "host found in the APK")
        for h in self._policy_domains(policy or {}):
            self._add_inferred(h, "controller's address in the privacy policy")

    def _read_sdk_hosts(self, static: dict[str, Any]) -> dict[str, tuple[Entry, str]]:
        """{host: (company, why)} from `sdk_hosts: [{host, class, sdk?}]`: the class's SDK names the company."""
        out: dict[str, tuple[Entry, str]] = {}
        for item in static.get("sdk_hosts") or []:
            if not isinstance(item, dict) or not isinstance(item.get("host"), str) or not isinstance(item.get("class"), str):
                continue
            h = _host_of(item["host"])
            e = self.kb.match_class(item["class"])
            if h and not is_ip(h) and e is not None:
                out.setdefault(h, (e, f"{h} is a string in {item['class']} ({e.name} SDK) of the APK"))
        return out

    # -- what counts as the app's own
    def _add_inferred(self, host: str, why: str) -> None:
        if not host or is_ip(host):
            return
        dom = registrable_domain(host)
        if not dom or "." not in dom or dom in _generic_domains():
            return
        e = self.kb.match_host(host)
        if e is not None and e.entity not in self.own_entities:
            return           # a known tracker or provider named in the APK or policy is not the app's own
        self._inferred.setdefault(dom, why)

    @staticmethod
    def _policy_domains(policy: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for key in ("first_party_domains", "contact_domains"):
            for d in policy.get(key) or []:
                if isinstance(d, str):
                    out.append(_host_of(d))
        for claim in policy.get("claims") or []:
            if isinstance(claim, dict):
                for k in ("sentence", "text"):
                    if isinstance(claim.get(k), str):
                        out.extend(m.group(1).lower() for m in _EMAIL.finditer(claim[k]))
        for k in ("controller", "contact"):
            v = policy.get(k)
            if isinstance(v, str):
                out.extend(m.group(1).lower() for m in _EMAIL.finditer(v))
        return out

    @property
    def first_party_domains(self) -> dict[str, str]:
        """Every domain taken as the app's own, with the reason."""
        return {**self._inferred, **self._explicit}

    # -- the answer
    def _classify(self, host: str) -> tuple[str, str, str | None, tuple[str, ...], str, Attribution | None]:
        h = normalize_host(host)
        if not h:
            return h, "unknown", None, (), "no host name", None
        if is_ip(h):
            return h, "unknown", None, (), "a bare IP address: no name to tell who runs it", None
        domain = registrable_domain(h)
        entry: Entry | None = self.kb.match_host(h)
        how: Attribution | None = None
        if entry is not None:
            how = Attribution("domain_list", f"{entry.file_for_domain(entry.matched or '')}: {entry.matched}")
        elif h in self._sdk_hosts:
            entry, why = self._sdk_hosts[h]
            how = Attribution("apk_sdk_hosts", why)
        entity = entry.entity if entry else None
        cats = tuple(entry.categories) if entry else ()
        suffixes = [".".join(h.split(".")[i:]) for i in range(h.count(".") + 1)]
        for s in suffixes:
            if s in self._explicit:
                return domain, "first", entity, cats, self._explicit[s], how
        if entry is not None:
            if entry.entity in self.own_entities:
                return domain, "first", entity, cats, f"{entity} runs this app", how
            if entry.is_service_provider:
                return domain, "service_provider", entity, cats, f"{entity}: {', '.join(cats)}", how
            return domain, "third", entity, cats, f"known company {entity} ({entry.matched or h})", how
        if domain in self._inferred:
            return domain, "first", None, (), self._inferred[domain], None
        label, suffix = split_host(h)
        if suffix and label in self._labels:
            return domain, "first", None, (), f"domain name matches the package name {self.app_id}", None
        # neither the app's nor a known company's: who runs it is not known (counted with third parties by the rules)
        return domain, "unknown", None, (), "not the app's own domain and not a known company", None

    def _lookup(self, host: str) -> tuple[str, str, str | None, tuple[str, ...], str, Attribution | None]:
        r = self._cache.get(host)
        if r is None:
            r = self._classify(host)
            self._cache[host] = r
        return r

    def contact(self, host: str) -> Contact:
        """A fresh Contact (callers count flows on it) for a host name as the app asked for it."""
        domain, party, entity, cats, _, how = self._lookup(host)
        return Contact(host=host, domain=domain, party=party, entity=entity, categories=list(cats),
                       attribution=Attribution(how.method, how.source) if how else None,
                       owners=self.kb.owner_chain(entity)[1:] if entity else [])

    def explain(self, host: str) -> str:
        """Why `contact(host)` gave its party, in words for the report."""
        return self._lookup(host)[4]

    def finalize(self, contacts: dict[str, Contact], data_flows: dict[tuple[str, str], DataFlow],
                 counts: Counter[tuple[str, str]], clues: Clues) -> tuple[dict[tuple[str, str], DataFlow], Counter[tuple[str, str]]]:
        """Decide what the domain lists left open, once every flow (and CNAME) is seen: contacts are updated in
        place; data flows move to their hosts' new recipients. Returns the data flows and their counts."""
        ad_hosts = ad_id_hosts(data_flows)
        changed = {normalize_host(h): c for h, c in contacts.items() if resolve_contact(c, clues, self.kb, ad_hosts)}
        return rekey_data_flows(data_flows, counts, changed)

# -- first party without --app-id: what the traffic says about the app ---------------------------------------------
# a package name: at least three dot-separated parts, each starting with a letter (com.example.app)
_PACKAGE = re.compile(r"(?<![\w.])([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*){2,})(?![\w])")


@lru_cache(maxsize=1)
def _app_id_keys() -> frozenset[str]:
    return frozenset(read_lines("app_id_keys.txt"))


def app_id_hints(fields: Iterable[Field]) -> set[str]:
    """Package names a request names as its app: SDK payload fields (package_name, bundle, app_id, a Sentry
    release `pkg@1.2`) and the User-Agent header (`com.example.app/1.2 (Linux; Android 13)`)."""
    keys = _app_id_keys()
    out: set[str] = set()
    for f in fields:
        k = f.key.lower()
        if k in keys:
            m = _PACKAGE.match(f.value.strip().split("@", 1)[0])
            if m and m.group(1) == f.value.strip().split("@", 1)[0]:
                out.add(m.group(1))
        elif k == "user-agent" and f.location.startswith("header."):
            out.update(m.group(1) for m in _PACKAGE.finditer(f.value.split(" ", 1)[0]))
    return out


@dataclass
class FirstPartyGuess:
    """What was inferred about the app from its traffic, with the reasons the report gives."""

    app_id: str | None = None
    app_id_source: str | None = None
    domains: dict[str, str] = field(default_factory=dict)      # registrable domain -> why it is the app's own

    def to_dict(self) -> dict[str, Any]:
        return {"app_id": self.app_id, "app_id_source": self.app_id_source, "first_party_domains": self.domains}


def infer_first_party(hints: Counter[str], contacts: Iterable[Contact], recipients: Recipients) -> FirstPartyGuess:
    """The app's id (the package name most requests name, trackers' hosts aside) and its own domains: those its
    package name suggests, else the most contacted domain no known company runs, with its sibling domains
    (sharing its name: api.bloom.example, bloom-media.example)."""
    guess = FirstPartyGuess()
    kb = recipients.kb
    for pkg, n in hints.most_common():
        if kb.match_host(".".join(reversed(pkg.split(".")))) is None:     # com.facebook.katana is Meta's, not ours
            guess.app_id, guess.app_id_source = pkg, f"named as the app in {n} request(s)"
            break
    open_contacts = [c for c in contacts if c.entity is None and c.party in ("third", "unknown") and not is_ip(c.host)]
    if guess.app_id:
        named = Recipients(guess.app_id, kb=kb)
        for c in open_contacts:
            if named.contact(c.host).party == "first":
                guess.domains.setdefault(c.domain, f"matches the app id {guess.app_id} inferred from the traffic")
    per_domain: Counter[str] = Counter()
    for c in open_contacts:
        if c.domain and c.domain not in _generic_domains():
            per_domain[c.domain] += c.flows
    if not guess.domains and not any(c.party == "first" for c in contacts) and per_domain:
        top, n = per_domain.most_common(1)[0]
        guess.domains[top] = f"the most contacted domain no known company runs ({n} connection(s))"
    # siblings: a domain whose name holds the name of one already taken (bloom.example -> bloom-cdn.example)
    names = {d.split(".", 1)[0] for d in guess.domains} | set(package_domains(guess.app_id)[1])
    for d in per_domain:
        label = d.split(".", 1)[0]
        owner = next((x for x in sorted(names) if len(x) >= 4 and x in label), None)
        if owner and d not in guess.domains:
            guess.domains[d] = f"its name holds {owner!r}, the app's own name"
    return guess


def apply_first_party(guess: FirstPartyGuess, contacts: Iterable[Contact], data_flows: Iterable[DataFlow]) -> None:
    """Mark the inferred domains `first`, with `inferred: true`, on contacts and data flows."""
    for c in contacts:
        if c.entity is None and c.domain in guess.domains:
            c.party, c.inferred = "first", True
    for df in data_flows:
        r = df.recipient
        if r.entity is None and r.domain in guess.domains:
            r.party, r.inferred = "first", True
