"""The tracker knowledge base: companies, their domains, SDK package prefixes and the names policies use for them.

The facts live in `analyzer/data/recipients/companies/*.json` (one entry per company, see the README there); a user's
overlay (`${HPA_HOME:-~/.config/hpa}/trackers-overlay.json`, written by `hpa trackers import`) adds to them.
Lookups are dict probes over a host's suffixes or a class name's package prefixes, longest first, so they stay fast
on captures with thousands of flows and APKs with tens of thousands of classes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from .. import __version__
from ..fsutil import read_cached, read_json_input, stamp_of, write_cached
from .domains import host_suffixes, is_ip, normalize_host

SCHEMA = "hpa.trackers/1"
OVERLAY_SCHEMA = "hpa.trackers-overlay/1"
LISTS_DIR = "lists/"          # imported lists, under data/recipients/
CATEGORIES: tuple[str, ...] = (
    "advertising", "analytics", "attribution", "crash_reporting", "engagement", "social",
    "consent_management", "customer_support", "infrastructure",
)
# Contacts whose categories all fall here run things for the app (hosting, CDN, payments): a processor, not a tracker.
SERVICE_PROVIDER_CATEGORIES = frozenset({"infrastructure"})

_HOST_CACHE_MAX = 200_000


@dataclass(frozen=True, slots=True)
class Sdk:
    name: str
    prefixes: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One company. A match (`match_host`, `match_class`) returns a copy narrowed to what matched:
    `categories` of that domain or SDK, `name` of the SDK (or the entity), `matched` the suffix or prefix."""

    entity: str
    parent: str | None = None
    country: str | None = None
    categories: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    sdk_signatures: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    website: str | None = None
    source: str = ""
    sdks: tuple[Sdk, ...] = ()
    domain_categories: tuple[tuple[str, tuple[str, ...]], ...] = ()   # explicit per-domain categories
    name: str = ""
    matched: str | None = None
    origin: str = "bundled"                                           # bundled | overlay | bundled+overlay
    file: str = ""                                                    # data file the entry comes from
    domain_files: tuple[tuple[str, str], ...] = ()                    # domains merged in from another file
    parent_source: str | None = None                                  # the ownership fact, when from ownership.tsv

    @property
    def is_service_provider(self) -> bool:
        return bool(self.categories) and set(self.categories) <= SERVICE_PROVIDER_CATEGORIES

    def categories_for_domain(self, domain: str) -> tuple[str, ...]:
        for d, cats in self.domain_categories:
            if d == domain:
                return cats
        return self.categories

    def file_for_domain(self, domain: str) -> str:
        """The data file that lists `domain` for this company (its own file unless merged in from a list)."""
        for d, f in self.domain_files:
            if d == domain:
                return f
        return self.file

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "parent": self.parent, "country": self.country,
            "categories": list(self.categories),
            "domains": {d: list(self.categories_for_domain(d)) for d in self.domains},
            "sdk_signatures": [{"name": s.name, "prefixes": list(s.prefixes), "categories": list(s.categories)}
                               for s in self.sdks],
            "aliases": list(self.aliases), "website": self.website, "source": self.source, "origin": self.origin,
            "file": self.file, "parent_source": self.parent_source,
        }


# ---------------------------------------------------------------------------------------------------- data files

def data_dir() -> Path:
    return Path(str(resources.files("analyzer"))) / "data" / "recipients"


def read_lines(name: str) -> list[str]:
    text = (data_dir() / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def overlay_path() -> Path:
    home = os.environ.get("HPA_HOME") or "~/.config/hpa"
    return Path(home).expanduser() / "trackers-overlay.json"


CLASS_RE = re.compile(r"^[A-Za-z_$][\w$]*(\.[\w$]+)*$")
HOST_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")


def _cats(value: Any, where: str, path: Path | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise InputError(path, f"{where}: categories must be a list of names")
    bad = [c for c in value if c not in CATEGORIES]
    if bad:
        raise InputError(path, f"{where}: unknown categor{'y' if len(bad) == 1 else 'ies'} {', '.join(bad)}")
    return tuple(dict.fromkeys(value))


def _file_label(path: Path | None) -> str:
    """'companies/advertising.json' for a bundled file, the full path for the user's overlay."""
    if path is None:
        return ""
    try:
        return path.resolve().relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return str(path)


def _parse_company(d: Any, path: Path | None, origin: str, label: str | None = None) -> Entry:
    """One company dict of the data format into an Entry; InputError names the file and the company."""
    if not isinstance(d, dict) or not isinstance(d.get("entity"), str) or not d["entity"].strip():
        raise InputError(path, "every company needs an 'entity' name")
    ent = d["entity"].strip()
    where = f"company {ent!r}"
    cats = _cats(d.get("categories"), where, path)
    raw_domains = d.get("domains") or []
    dom_cats: dict[str, tuple[str, ...] | None] = {}
    if isinstance(raw_domains, list):
        for x in raw_domains:
            if not isinstance(x, str):
                raise InputError(path, f"{where}: domains must be names")
            dom_cats[x] = None
    elif isinstance(raw_domains, dict):
        for x, v in raw_domains.items():
            dom_cats[x] = None if v is None else _cats(v, f"{where} domain {x}", path)
    else:
        raise InputError(path, f"{where}: domains must be a list or an object")
    domains: list[str] = []
    explicit: list[tuple[str, tuple[str, ...]]] = []
    for x, v in dom_cats.items():
        h = normalize_host(x).lstrip("*.")
        if not h or not HOST_RE.match(h):
            raise InputError(path, f"{where}: bad domain {x!r}")
        domains.append(h)
        if v is not None:
            explicit.append((h, v))
    sdks: list[Sdk] = []
    for s in d.get("sdk_signatures") or []:
        if isinstance(s, str):
            s = {"name": ent, "prefixes": [s]}
        if not isinstance(s, dict) or not isinstance(s.get("prefixes"), list):
            raise InputError(path, f"{where}: sdk_signatures entries need 'prefixes'")
        prefixes = tuple(_norm_class(p) for p in s["prefixes"] if isinstance(p, str))
        for p in prefixes:
            if not CLASS_RE.match(p) or "." not in p:     # a one-word prefix ('com') would match everything
                raise InputError(path, f"{where}: bad SDK prefix {p!r}")
        scats = _cats(s.get("categories"), where, path) if s.get("categories") is not None else cats
        sdks.append(Sdk(str(s.get("name") or ent), prefixes, scats))
    aliases = tuple(a.strip() for a in d.get("aliases") or [] if isinstance(a, str) and a.strip())
    return Entry(
        entity=ent, parent=d.get("parent"), country=d.get("country"), categories=cats,
        domains=tuple(domains), sdk_signatures=tuple(p for s in sdks for p in s.prefixes),
        aliases=aliases, website=d.get("website"), source=str(d.get("source") or ""),
        sdks=tuple(sdks), domain_categories=tuple(explicit), name=ent, origin=origin,
        file=label if label is not None else _file_label(path),
    )


def _load_file(path: Path, origin: str) -> list[Entry]:
    doc = read_json_input(path, "tracker list")
    if not isinstance(doc, dict) or not isinstance(doc.get("companies"), list):
        raise InputError(path, "expected an object with a 'companies' list")
    label = _file_label(path)
    return [_parse_company(c, path, origin, label) for c in doc["companies"]]


def _merge(base: Entry, extra: Entry) -> Entry:
    """The overlay adds to a bundled company: more domains, SDKs and aliases; its own categories for new domains."""
    known = set(base.domains)
    new_domains = [d for d in extra.domains if d not in known]
    explicit = dict(base.domain_categories)
    extra_explicit = dict(extra.domain_categories)
    for d in new_domains:
        explicit[d] = extra_explicit[d] if d in extra_explicit else (extra.categories or base.categories)
    known_prefixes = set(base.sdk_signatures)
    new_sdks = [Sdk(s.name, tuple(p for p in s.prefixes if p not in known_prefixes), s.categories or base.categories)
                for s in extra.sdks]
    new_sdks = [s for s in new_sdks if s.prefixes]
    sdks = base.sdks + tuple(new_sdks)
    return replace(
        base,
        domains=base.domains + tuple(new_domains),
        domain_categories=tuple(explicit.items()),
        domain_files=base.domain_files + tuple((d, extra.file_for_domain(d)) for d in new_domains),
        sdks=sdks, sdk_signatures=tuple(p for s in sdks for p in s.prefixes),
        aliases=base.aliases + tuple(a for a in extra.aliases if a not in base.aliases),
        source=base.source + (f"; overlay: {extra.source}" if extra.source else "; overlay"),
        origin="bundled+overlay",
    )


# ---------------------------------------------------------------------------------------------------- names

def _legal_words() -> frozenset[str]:
    return frozenset(read_lines("legal_suffixes.txt"))


_PUNCT = re.compile(r"[^\w&+]+", re.UNICODE)


def _norm_name(text: str, legal: frozenset[str] = frozenset()) -> str:
    """'Facebook, Inc.' -> 'facebook inc' (or 'facebook' with the legal words dropped)."""
    words = _PUNCT.sub(" ", text.lower().replace("'s ", " ").replace("’s ", " ")).split()
    if legal:
        while len(words) > 1 and words[-1] in legal:
            words.pop()
    return " ".join(words)


def _norm_class(name: str) -> str:
    """'Lcom/facebook/appevents/AppEventsLogger$1;' or 'com.facebook.appevents.AppEventsLogger$1' ->
    'com.facebook.appevents.AppEventsLogger'."""
    n = name.strip()
    if n.startswith("L") and n.endswith(";"):
        n = n[1:-1]
    n = n.replace("/", ".")
    return n.split("$", 1)[0]


@dataclass(frozen=True, slots=True)
class Mention:
    entity: str
    text: str           # the words as written
    start: int
    end: int


# ---------------------------------------------------------------------------------------------------- the base

class KnowledgeBase:
    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self._by_entity: dict[str, Entry] = {}
        # suffix -> the company, and package prefix -> (the company, its SDK); narrowed to that domain or SDK
        # on first lookup (a dataclass copy per domain at load time cost ~50 ms at every start)
        self._by_domain: dict[str, Entry] = {}
        self._by_prefix: dict[str, tuple[Entry, Any]] = {}
        self._narrowed: dict[tuple[str, str], Entry] = {}
        self._names: dict[str, str] = {}
        self._host_cache: dict[str, Entry | None] = {}
        self._legal = _legal_words()
        self._mention_re: re.Pattern[str] | None = None
        for e in self.entries:
            self._by_entity[e.entity.lower()] = e
            for d in e.domains:
                self._by_domain.setdefault(d, e)
            for s in e.sdks:
                for p in s.prefixes:
                    self._by_prefix.setdefault(p, (e, s))
        for e in self.entries:      # canonical names first, so an alias never shadows a company's own name
            self._names.setdefault(_norm_name(e.entity), e.entity)
            self._names.setdefault(_norm_name(e.entity, self._legal), e.entity)
        for e in self.entries:
            for a in e.aliases:
                self._names.setdefault(_norm_name(a), e.entity)
                self._names.setdefault(_norm_name(a, self._legal), e.entity)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    # -- lookups
    def match_host(self, host: str) -> Entry | None:
        """The company behind a host name, by the longest listed domain suffix, narrowed to that domain's categories."""
        h = normalize_host(host)
        try:
            return self._host_cache[h]
        except KeyError:
            pass
        hit: Entry | None = None
        if h and not is_ip(h):
            for suf in host_suffixes(h):
                e = self._by_domain.get(suf)
                if e is not None:
                    hit = self._narrowed.get(("d", suf))
                    if hit is None:
                        hit = self._narrowed[("d", suf)] = replace(e, categories=e.categories_for_domain(suf),
                                                                  matched=suf, name=e.entity)
                    break
        if len(self._host_cache) >= _HOST_CACHE_MAX:
            self._host_cache.clear()
        self._host_cache[h] = hit
        return hit

    def match_class(self, java_class: str) -> Entry | None:
        """The SDK a Java class or package belongs to, by the longest package prefix (whole segments only, so
        'com.facebook.ads' never matches 'com.facebook.adsmanager'). Accepts dex descriptors ('Lcom/x/Y;')."""
        n = _norm_class(java_class)
        parts = n.split(".")
        for i in range(len(parts), 0, -1):
            p = ".".join(parts[:i])
            found = self._by_prefix.get(p)
            if found is not None:
                hit = self._narrowed.get(("p", p))
                if hit is None:
                    e, sdk = found
                    hit = self._narrowed[("p", p)] = replace(e, categories=sdk.categories, name=sdk.name, matched=p)
                return hit
        return None

    def owner_chain(self, entity: str) -> list[str]:
        """'MoPub' -> ['MoPub', 'AppLovin']: the company, then each owner up the chain as far as the data goes
        (a parent that is itself a known company brings its own parent; a parent unknown here ends the chain)."""
        chain = [entity]
        e = self.entity(entity)
        while e is not None and e.parent:
            nxt = self.entity(e.parent)
            if nxt is None:
                if e.parent not in chain:
                    chain.append(e.parent)
                break
            if nxt.entity in chain:
                break
            chain.append(nxt.entity)
            e = nxt
        return chain

    def entity(self, name: str) -> Entry | None:
        """A company by its canonical name or any alias (case-insensitive, legal form ignored)."""
        canon = self.canonical_name(name)
        return self._by_entity.get(canon.lower()) if canon else None

    def canonical_name(self, text: str) -> str | None:
        """Policy wording -> canonical company: 'Facebook Analytics' -> 'Meta', 'Fabric' -> 'Google',
        'Flurry' -> 'Yahoo', 'Google Ireland Limited' -> 'Google'. None when the words name no known company."""
        if not text or not text.strip():
            return None
        candidates = [text]
        m = re.match(r"^(.*?)\s*\((.*?)\)\s*$", text)           # 'Flurry (Yahoo)', 'AppMetrica (Yandex)'
        if m:
            candidates += [m.group(1), m.group(2)]
        for c in candidates:
            for key in (_norm_name(c), _norm_name(c, self._legal)):
                if key in self._names:
                    return self._names[key]
                if key.endswith(" sdk") and key[:-4] in self._names:
                    return self._names[key[:-4]]
        return None

    def find_entities(self, text: str) -> list[Mention]:
        """Every company a running text names, in order ('We share data with Facebook and AppsFlyer' -> Meta,
        AppsFlyer). Aliases that are ordinary words ('Branch', 'Segment') only match with their capitals."""
        if self._mention_re is None:
            self._mention_re = self._build_mention_re()
        out: list[Mention] = []
        for m in self._mention_re.finditer(text):
            word = m.group(0)
            canon = self._mention_exact.get(word) or self._mention_fold.get(word.lower())
            if canon:
                out.append(Mention(canon, word, m.start(), m.end()))
        return out

    def _build_mention_re(self) -> re.Pattern[str]:
        ambiguous = set(read_lines("ambiguous_aliases.txt"))
        self._mention_exact: dict[str, str] = {}
        self._mention_fold: dict[str, str] = {}
        names: set[str] = set()
        # only names the project vetted: an imported list's company may be called 'Engine', 'Signal' or 'Medium'
        for e in (x for x in self.entries if not x.file.startswith(LISTS_DIR)):
            for a in (e.entity, *e.aliases):
                if len(a) < 2:
                    continue
                strict = a in ambiguous or (len(a) <= 4 and a.isupper())
                (self._mention_exact if strict else self._mention_fold).setdefault(a if strict else a.lower(), e.entity)
                names.add(a)
        alts = sorted(names, key=len, reverse=True)
        return re.compile(r"(?<![\w.@/-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w@]|\.\w)", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------- loading

_cache: dict[tuple[str, int, int], KnowledgeBase] = {}
_bundled: list[Entry] | None = None
_lists: list[Entry] | None = None
_all: list[Entry] | None = None
_owners: dict[str, "Ownership"] | None = None


def bundled_entries() -> list[Entry]:
    """The companies written by the project (`companies/*.json`), each with its complete facts."""
    global _bundled
    if _bundled is None:
        entries: list[Entry] = []
        for p in sorted((data_dir() / "companies").glob("*.json")):
            entries.extend(_load_file(p, "bundled"))
        _bundled = entries
    return list(_bundled)


def list_entries() -> list[Entry]:
    """Companies of the imported lists (`lists/*.json`, each file naming its source and licence): facts may be
    partial (no parent, no country); ownership.tsv completes them."""
    global _lists
    if _lists is None:
        entries: list[Entry] = []
        for p in sorted((data_dir() / LISTS_DIR).glob("*.json")):
            entries.extend(_load_file(p, "bundled"))
        _lists = entries
    return list(_lists)


@dataclass(frozen=True, slots=True)
class Ownership:
    parent: str
    country: str | None
    fact: str


def ownership() -> dict[str, Ownership]:
    """ownership.tsv: normalized company name -> its parent, with the public fact it rests on."""
    global _owners
    if _owners is None:
        out: dict[str, Ownership] = {}
        legal = _legal_words()
        for line in read_lines("ownership.tsv"):
            cells = [c.strip() for c in line.split("\t")]
            if len(cells) == 4 and cells[0] and cells[1]:
                out[_norm_name(cells[0], legal)] = Ownership(cells[1], cells[2] or None, cells[3])
        _owners = out
    return dict(_owners)


def _add_lists(curated: list[Entry], extra: list[Entry]) -> list[Entry]:
    """Fold the imported lists into the curated companies: a list company that is a known one (by name or alias)
    adds its new domains to it; a domain some company already claims stays with that company (first claim wins,
    curated files first); parents and countries missing anywhere come from ownership.tsv."""
    legal = _legal_words()
    out = list(curated)
    names: dict[str, int] = {}
    for i, e in enumerate(out):
        for n in (e.entity, *e.aliases):
            names.setdefault(_norm_name(n, legal), i)
    claimed = {d for e in out for d in e.domains}
    for x in extra:
        keep = tuple(d for d in x.domains if d not in claimed)
        if not keep and not x.sdks:
            continue
        claimed.update(keep)
        x = replace(x, domains=keep, domain_categories=tuple((d, c) for d, c in x.domain_categories if d in keep))
        i = names.get(_norm_name(x.entity, legal))
        if i is None:
            for n in x.aliases:
                i = names.get(_norm_name(n, legal))
                if i is not None:
                    break
        if i is None:
            names[_norm_name(x.entity, legal)] = len(out)
            for n in x.aliases:
                names.setdefault(_norm_name(n, legal), len(out))
            out.append(x)
        else:
            base = out[i]
            merged = _merge(base, x)
            out[i] = replace(merged, source=base.source, origin=base.origin,
                             parent=base.parent or x.parent, country=base.country or x.country,
                             website=base.website or x.website)
    owners = ownership()
    for i, e in enumerate(out):        # the ownership table is the newer word on who owns whom
        o = owners.get(_norm_name(e.entity, legal))
        if o is not None and o.parent != e.parent:
            out[i] = replace(e, parent=o.parent, country=e.country or o.country, parent_source=o.fact)
    return out


KB_CACHE = "knowledge_base.pickle"


def bundled_stamp() -> str:
    """What the bundled companies are made from: the data files and this module (which defines Entry)."""
    return stamp_of(sorted(p for p in data_dir().rglob("*") if p.is_file()) + [Path(__file__)], __version__)


def all_bundled_entries() -> list[Entry]:
    """Every bundled company: the curated ones, then those of the imported lists."""
    global _all
    if _all is None:
        # the same files give the same companies: parsed once, then unpickled (~8 ms instead of ~35 ms) by every
        # later process, which each app of a batch is
        stamp = bundled_stamp()
        _all = read_cached(KB_CACHE, stamp)
        if not isinstance(_all, list):
            _all = _add_lists(bundled_entries(), list_entries())
            write_cached(KB_CACHE, stamp, _all)
    return list(_all)


def _with_overlay(entries: list[Entry], overlay: list[Entry]) -> list[Entry]:
    index = {e.entity.lower(): i for i, e in enumerate(entries)}
    out = list(entries)
    for x in overlay:
        i = index.get(x.entity.lower())
        if i is None:
            index[x.entity.lower()] = len(out)
            out.append(x)
        else:
            out[i] = _merge(out[i], x)
    return out


def load_kb(overlay: str | Path | None | bool = None) -> KnowledgeBase:
    """The bundled knowledge base plus the user's overlay (default path, another path, or False for none).
    Cached until the overlay file changes."""
    path = overlay_path() if overlay is None or overlay is True else (None if overlay is False else Path(overlay))
    stamp = (str(path), -1, -1)
    if path is not None and path.exists():
        st = path.stat()
        stamp = (str(path), st.st_mtime_ns, st.st_size)
    kb = _cache.get(stamp)
    if kb is None:
        entries = all_bundled_entries()
        if stamp[1] != -1 and path is not None:
            entries = _with_overlay(entries, _load_overlay(path))
        kb = KnowledgeBase(entries)
        _cache.clear()
        _cache[stamp] = kb
    return kb


def _load_overlay(path: Path) -> list[Entry]:
    return _load_file(path, "overlay")


def canonical_name(text: str) -> str | None:
    """Policy wording -> canonical company name or None (see KnowledgeBase.canonical_name)."""
    return load_kb().canonical_name(text)


def find_entities(text: str) -> list[Mention]:
    return load_kb().find_entities(text)


def clear_cache() -> None:
    """Forget the loaded knowledge base (after the overlay changed)."""
    _cache.clear()
