"""The Detector: decoded fields of one request in, Detections (each with its evidence) out.

Order per field: known values (the persona), then the endpoint adapter's rule for the field if any
(ids, hashed user data, event names, free-form params, or "ignore"), then the generic detectors
(identifier keys and shapes, personal info, location, health/fitness words). Results are de-duplicated per
(location, data type): the strongest method wins (known_value > adapter > generic), and within one method
each `details` is kept once.

No field memo: each field goes through the rules below (measured with bench/detect_bench.py, 20,000 flows: the
memo/replay engine gave about 12 % more detection throughput, about 3 % of analyze(), for five caches and an
op-replay layer). What stays cached is what a location, a host+path, a word or a value alone decide (_slot,
_flow_context, the lexicon, Health.field, KnownValues.match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Detection, Field, Flow
from .adapters import Adapter, AdapterTable, Rule
from .guards import Guards
from .health import Health
from .knowledge import keys
from .known_values import KnownValues
from .lexicon import Lexicon
from .location import parse_coord, parse_pair_string, precision
from .persona import Persona
from .personal import Personal
from .shapes import HEX_DIGEST, check
from .text import Loc, compact, excerpt, parse_location

RANK = {"known_value": 3, "adapter": 2}
_SLOTS_MAX = 200_000      # (location, key) -> what they alone say; cleared when full, so memory stays flat
_FLOWS_MAX = 50_000       # (host, path) -> adapter and path guards
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_EVENT_PARENTS = frozenset({"events", "event", "customevents", "evts"})


class _Out:
    """Detections of one flow, de-duplicated as they arrive."""

    __slots__ = ("flow_id", "best")

    def __init__(self, flow_id: str):
        self.flow_id = flow_id
        self.best: dict[tuple[str, str], tuple[int, list[Detection]]] = {}

    def add(self, data_type: str, details: str, method: str, conf: float, location: str, exc: str) -> None:
        rank = RANK.get(method, 1)
        k = (location, data_type)
        cur = self.best.get(k)
        # a Detection is built only when kept (positional: this runs for every finding of every flow)
        if cur is None or rank > cur[0]:
            self.best[k] = (rank, [Detection(data_type, details, method, round(conf, 2), location, exc, self.flow_id)])
        elif rank == cur[0]:
            dets = cur[1]
            for i, d in enumerate(dets):
                if d.details == details:
                    if conf > d.confidence:
                        dets[i] = Detection(data_type, details, method, round(conf, 2), location, exc, self.flow_id)
                    return
            dets.append(Detection(data_type, details, method, round(conf, 2), location, exc, self.flow_id))

    def result(self) -> list[Detection]:
        return [d for _, dets in self.best.values() for d in dets]


class Detector:
    """`Detector(persona).detect(flow, fields) -> list[Detection]`. Build one per analysis: the data files and
    the persona's needle set are prepared once, and per-string results are cached across flows."""

    def __init__(self, persona: Persona | None = None):
        self.persona = persona if persona is not None and not persona.is_empty() else None
        self.lexicon = Lexicon()
        self.guards = Guards()
        self.health = Health(self.lexicon, self.guards)
        self.personal = Personal()
        self.adapters = AdapterTable()
        self.known = KnownValues(self.persona, self.lexicon) if self.persona else None
        k = keys()
        self.id_keys: dict[str, list[tuple[str, str]]] = k["identifiers"]
        self.event_keys = k["event_name"]
        self.lat_keys, self.lon_keys, self.latlon_keys = k["lat"], k["lon"], k["latlon"]
        self.pair_name, self.pair_value = k["pair_name"], k["pair_value"]
        self.name_context = k["name_context"]
        self.id_namespace_keys = k["id_namespace_keys"]
        self.path_collections: dict[str, str] = k["path_id_collections"]
        self.id_suffixes = tuple(sx for sx in k["identifier_suffixes"] if sx in self.id_keys)
        self._personal_keys = frozenset().union(*(k[n] for n in (
            "email", "phone", "name_strong", "name_weak", "birth_date", "age", "gender", "address", "city", "zip",
            "sexual_orientation", "ethnicity", "religion", "hashed_match")))
        # what a location and key alone say, and what a host and path alone say: both repeat in every flow
        self._slots: dict[tuple[str, str], _Slot] = {}
        self._flows: dict[tuple[str, str], tuple[Adapter | None, bool, bool, bool]] = {}

    def __getstate__(self):          # sent to worker processes: rebuilt there, caches are not worth copying
        return {"persona": self.persona}

    def __setstate__(self, state):
        self.__init__(state["persona"])

    # -- public ---------------------------------------------------------------------------------
    def detect(self, flow: Flow, fields: Iterable[Field]) -> list[Detection]:
        out = _Out(flow.id)
        st = _FlowState(*self._flow_context(flow))
        st.path_segs = [seg for seg in (flow.path or "/").split("/") if seg]
        for f in fields:
            self._field(f, st, out)
        self._finish(st, out)
        return out.result()

    def _flow_context(self, flow: Flow) -> tuple[Adapter | None, bool, bool, bool]:
        """(endpoint adapter, static asset, content path, user context) of a host and path."""
        fk = (flow.host, flow.path)
        fi = self._flows.get(fk)
        if fi is None:
            path = flow.path or "/"
            static, content_path = self.guards.flow_path(path)
            user_ctx = any(compact(s) in self.name_context for s in path.split("/") if s)
            fi = (self.adapters.for_flow(flow.host, path), static, content_path, user_ctx)
            if len(self._flows) >= _FLOWS_MAX:
                self._flows.clear()
            self._flows[fk] = fi
        return fi

    # -- one field ------------------------------------------------------------------------------
    def _slot(self, location: str, key: str) -> "_Slot":
        """What a field's location and key alone say (cached: locations repeat across flows)."""
        sk = (location, key)
        sl = self._slots.get(sk)
        if sl is not None:
            return sl
        loc = parse_location(location)
        key = key or loc.last
        ckey = compact(key) if key else ""
        skip = False
        if loc.root == "header":
            hname = (loc.segs[0] if loc.segs else key).lower()
            decoded = "|" in location or len(loc.segs) > 1      # a JWT or base64 credential taken apart
            if hname in self.guards.skip_headers and not decoded:
                skip = True
            elif hname.startswith("x-") and not decoded:
                ckey = compact(hname[2:])
        parent_c = compact(loc.segs[-2]) if len(loc.segs) > 1 else ""
        latlon = 0
        if ckey in self.lat_keys or ckey in self.lon_keys:
            latlon = 1
        elif ckey in self.latlon_keys:
            latlon = 2
        # strings mined from an undecodable binary body have no key: they are read like event names
        binary = "|strings[" in location
        event = binary or (loc.root != "header" and (ckey in self.event_keys or
                                                     (ckey == "name" and parent_c in _EVENT_PARENTS)))
        id_rules = self._id_rules(ckey, parent_c) if ckey else None
        personal = bool(ckey) and ckey in self._personal_keys
        quiet = not (id_rules or personal or latlon or event or ckey in self.pair_name or ckey in self.pair_value) \
            and loc.root in ("body", "query", "cookie") and not self.lexicon.scan(loc.path).hits \
            and not self.lexicon.scan(key).hits
        sl = _Slot(loc=loc, key=key, ckey=ckey, skip=skip, id_rules=id_rules, quiet=quiet,
                   personal=personal, parent_c=parent_c, latlon=latlon,
                   event=event, binary=binary, pb_number=key.isdigit() and "protobuf" in location,
                   pair_name=ckey in self.pair_name, pair_value=ckey in self.pair_value,
                   group=_group(location, loc), sib=loc.segs[-1] if loc.segs else "")
        if len(self._slots) >= _SLOTS_MAX:
            self._slots.clear()
        self._slots[sk] = sl
        return sl

    def _path_id(self, location: str, v: str, st: "_FlowState") -> str | None:
        """An install or channel id as the member of a REST collection in the URL path (/api/channels/<uuid>)."""
        if not (location.startswith("path[") and location.endswith("]")) or not (check("uuid", v) or check("fid", v)):
            return None
        i = int(location[5:-1])
        return self.path_collections.get(compact(st.path_segs[i - 1])) if 0 < i <= len(st.path_segs) else None

    def _id_rules(self, ckey: str, parent_c: str) -> list[tuple[str, str]] | None:
        """Identifier rules of a key: its own; in an identity map ({ECID: [{id: x}]}) the namespace's; else
        those of a standard id name the key ends with (a vendor prefix: kochava_device_id, 'Vipps Device ID')."""
        rules = self.id_keys.get(ckey)
        if rules is None and ckey in self.id_namespace_keys and parent_c:
            rules = self.id_keys.get(parent_c)
        if rules is None:
            for suffix in self.id_suffixes:
                if ckey.endswith(suffix) and len(ckey) > len(suffix):
                    return self.id_keys.get(suffix)
        return rules

    def _field(self, f: Field, st: "_FlowState", out: _Out) -> None:
        location = f.location
        sl = self._slot(location, f.key)
        loc = sl.loc
        key = sl.key
        value = f.value if isinstance(f.value, str) else str(f.value)
        v = value.strip()
        if st.pairs_wanted:
            st.siblings.setdefault(loc.parent, {})[sl.sib] = f
        if not v:
            return
        if self.known is not None:
            for need, text in self.known.match(v):
                out.add(need.data_type, need.details, "known_value", 1.0, location, excerpt(key, value))
            if "." in v and len(v) < 24:
                self._coord_candidate(st, loc, f, v, for_known=True, group=sl.group)
        if sl.skip:
            return
        if sl.pb_number and "." in v:
            # a float field of a schemaless protobuf message: a candidate half of a position (see _finish)
            c = parse_coord(v, 180.0)
            if c is not None:
                st.pb_floats.setdefault(loc.parent, {})[int(key)] = (f, c[0], c[1])

        params = False
        rule: Rule | None = st.adapter.rule(loc.path) if st.adapter is not None else None
        if rule is None and sl.quiet and _NUMBER.match(v):
            return              # a number under a key that names nothing: counters, timestamps, sizes
        if rule is not None:
            role = rule.role
            if role == "ignore":
                return
            if role == "id":
                if check(rule.shape, v):
                    out.add(rule.data_type, rule.details, "adapter", 0.95, location, excerpt(key, value))
                return
            if role == "hashed":
                if HEX_DIGEST.match(v) or len(v) >= 8:
                    out.add(rule.data_type, rule.details, "adapter", 0.95, location, excerpt(key, value))
                return
            if role == "event_name":
                for h in self.health.event(value, 0.95):
                    out.add(h.data_type, h.details, h.method, h.conf, location, excerpt(key, value))
                return
            if role == "pair":
                st.adapter_pairs.append((f, loc, rule))
                return
            params = role == "params"

        # identifiers by key name and value shape
        if sl.id_rules:
            for shape, details in sl.id_rules:
                if check(shape, v):
                    dt = "personal_info.user_ids" if details == "user_id" else "device_ids"
                    out.add(dt, details, "key", 0.7 if shape == "id" else 0.85, location, excerpt(key, value))
                    break
        # personal info gated by key; event properties (params) are not a profile: a weak `name` there is a
        # screen or a product (a persona match above always counts)
        if sl.personal:
            for p in self.personal.by_key(sl.ckey, sl.parent_c, v, st.user_ctx):
                out.add(p.data_type, p.details, "key", p.conf, location, excerpt(key, value))
        # location: sibling lat/lon fields, or [lat, lon] lists under a location-like key (polyline)
        if sl.latlon == 1:
            self._coord_candidate(st, loc, f, v, for_known=False, ckey=sl.ckey, group=loc.parent)
        elif sl.latlon == 2 and location.endswith("]") and "." in v:
            i = location.rfind("[")
            c = parse_coord(v, 180.0)
            if c is not None:
                st.list_coords.setdefault((loc.path, location[:i]), {})[location[i + 1:-1]] = (f, c[0], c[1])
        c0 = v[0]
        if "@" in v or c0 == "+":
            for p in self.personal.by_value(v):
                if p.details == "email" and self.guards.service_email(p.text, loc, location):
                    continue        # a support, sender or SDK-config address: not the user's
                out.add(p.data_type, p.details, "value", p.conf, location, excerpt(key, value))
        if ("," in v or ";" in v or " " in v) and (c0.isdigit() or c0 in "-("):
            pt = parse_pair_string(v)
            if pt is not None:
                lat, ld, lon, od = pt
                if self.known is not None and self.known.match_point(lat, ld, lon, od):
                    out.add(precision(min(ld, od)), "lat_lon", "known_value", 1.0, location, excerpt(key, value))
                elif sl.latlon == 2 or _plausible_fix(lat, ld, lon, od):
                    out.add(precision(min(ld, od)), "lat_lon", "key" if sl.latlon == 2 else "value",
                            0.85, location, excerpt(key, value))

        # event names
        if sl.event:
            if sl.binary and self.guards.value_describes_app(v):
                return          # class names, URLs, versions: the binary's own text
            for h in self.health.event(value, 0.9 if not params else 0.95):
                out.add(h.data_type, h.details, h.method, h.conf, location, excerpt(key, value))
            return
        # generic name/value pairs ({"name": "mood", "value": "sad"}): joined after the loop
        if sl.pair_name:
            st.generic_pairs.setdefault(loc.parent, [None, None])[0] = f
        if sl.pair_value:
            st.generic_pairs.setdefault(loc.parent, [None, None])[1] = f

        # health and fitness
        root = loc.root
        if root == "path":
            details = self._path_id(location, v, st)
            if details:
                out.add("device_ids", details, "key", 0.75, location, v)
                return
            if not (st.static or st.content_path):
                for h in self.health.path_segment(v):
                    out.add(h.data_type, h.details, h.method, h.conf, location, excerpt(key, value))
            return
        if root == "header":
            return
        for h in self.health.field(loc, key, value, params=params, bonus=0.1 if params else 0.0, location=location):
            out.add(h.data_type, h.details, h.method, h.conf, location, excerpt(key, value))

    # -- coordinates ----------------------------------------------------------------------------
    def _coord_candidate(self, st: "_FlowState", loc: Loc, f: Field, v: str, *, for_known: bool,
                         group: str, ckey: str = "") -> None:
        c = parse_coord(v, 180.0)
        if c is None:
            return
        if for_known:
            items = st.known_coords.setdefault(group, [])
            if len(items) < 16:          # a long list of numbers is a series, not a position
                items.append((f, c[0], c[1]))
        else:
            which = "lat" if ckey in self.lat_keys else "lon"
            if which == "lat" and abs(c[0]) > 90:
                return
            st.coords.setdefault(group, {})[which] = (f, c[0], c[1])

    # -- after all fields: pairs and coordinates ------------------------------------------------
    def _finish(self, st: "_FlowState", out: _Out) -> None:
        for parent, d in st.coords.items():
            if "lat" in d and "lon" in d:
                (fa, lat, ld), (fo, lon, od) = d["lat"], d["lon"]
                if lat == 0 and lon == 0:
                    continue
                text = f"lat={fa.value}, lon={fo.value}"
                out.add(precision(min(ld, od)), "lat_lon", "key", 0.9, fa.location, text)
        for parent, nums in st.pb_floats.items():
            # no schema: two floats in consecutive fields, a latitude then a longitude that read as a GPS fix
            for n, (fa, lat, ld) in sorted(nums.items()):
                nxt = nums.get(n + 1)
                if nxt is not None and abs(lat) <= 90 and _plausible_fix(lat, ld, nxt[1], nxt[2]):
                    out.add(precision(min(ld, nxt[2])), "lat_lon", "value", 0.5, fa.location,
                            f"{fa.key}={fa.value}, {nxt[0].key}={nxt[0].value}")
                    break
        done: set[str] = set()
        for (path, parent), d in st.list_coords.items():
            if path in done or "0" not in d or "1" not in d:
                continue
            (fa, a, ad), (fo, b, bd) = d["0"], d["1"]
            if (abs(a) <= 90 or abs(b) <= 90) and not (a == 0 and b == 0) and min(ad, bd) >= 2:
                done.add(path)          # one detection per list: the first point is the evidence
                out.add(precision(min(ad, bd)), "lat_lon", "key", 0.85, parent, f"{fa.key}=[{fa.value}, {fo.value}]")
        if self.known is not None:
            for parent, items in st.known_coords.items():
                if len(items) < 2:
                    continue
                for fa, a, ad in items:
                    for fo, b, bd in items:
                        if fa is not fo and self.known.match_point(a, ad, b, bd):
                            out.add(precision(min(ad, bd)), "lat_lon", "known_value", 1.0, fa.location,
                                    f"lat={fa.value}, lon={fo.value}")
        for f, loc, rule in st.adapter_pairs:
            sib = st.siblings.get(loc.parent, {})
            for num in rule.values:
                fv = sib.get(num)
                if fv is not None and fv.value not in ("", None):
                    self._pair(f.value, fv, out, params=True)
                    break
            else:
                # a name without a value is still a key the app chose ("pregnancy_mode" set)
                for h in self.health.event(f.value, 0.8):
                    out.add(h.data_type, h.details, "key", h.conf, f.location, excerpt("name", f.value))
        for parent, (fn, fv) in st.generic_pairs.items():
            if fn is not None and fv is not None:
                self._pair(fn.value, fv, out, params=False)

    def _pair(self, name: str, fv: Field, out: _Out, *, params: bool) -> None:
        """A name/value pair seen as one field keyed by the name (protobuf event params, user properties)."""
        loc = parse_location(fv.location)
        vloc = Loc(root=loc.root, segs=(*loc.segs[:-1], name), path=name.lower(), parent=loc.parent, last=name)
        for h in self.health.field(vloc, name, fv.value, params=params, bonus=0.1 if params else 0.0):
            out.add(h.data_type, h.details, h.method, h.conf, fv.location, excerpt(name, fv.value))


@dataclass(frozen=True, slots=True)
class _Slot:
    loc: Loc
    key: str
    ckey: str
    skip: bool                  # a standard header: only known values are looked for
    id_rules: list[tuple[str, str]] | None
    quiet: bool                 # no key rule and no lexicon word on the key path: numbers here mean nothing
    personal: bool
    parent_c: str
    latlon: int                 # 1: a lat or lon key; 2: a location-like key (a "lat,lon" string or a list)
    event: bool
    binary: bool                # a string mined from a binary body (decode.binstrings)
    pb_number: bool             # a field of a protobuf message read without a schema
    pair_name: bool
    pair_value: bool
    group: str
    sib: str


class _FlowState:
    __slots__ = ("adapter", "static", "content_path", "user_ctx", "pairs_wanted", "siblings", "adapter_pairs",
                 "generic_pairs", "coords", "known_coords", "list_coords", "pb_floats", "path_segs")

    def __init__(self, adapter: Adapter | None, static: bool, content_path: bool, user_ctx: bool):
        self.adapter = adapter
        self.static = static
        self.content_path = content_path
        self.user_ctx = user_ctx
        self.pairs_wanted = adapter is not None and adapter.has_pairs
        self.siblings: dict[str, dict[str, Field]] = {}
        self.adapter_pairs: list[tuple[Field, Loc, Rule]] = []
        self.generic_pairs: dict[str, list[Field | None]] = {}
        self.coords: dict[str, dict[str, tuple[Field, float, int]]] = {}
        self.known_coords: dict[str, list[tuple[Field, float, int]]] = {}
        self.list_coords: dict[tuple[str, str], dict[str, tuple[Field, float, int]]] = {}
        self.pb_floats: dict[str, dict[int, tuple[Field, float, int]]] = {}
        self.path_segs: list[str] = []


def _plausible_fix(lat: float, lat_dec: int, lon: float, lon_dec: int) -> bool:
    """A "lat,lon" string under a key that names no location counts only when it reads as a GPS fix: four or
    more decimals on both (screen densities, prices, ratios and versions have fewer), two different numbers,
    not both below 1 in size (a pair of ratios)."""
    return min(lat_dec, lon_dec) >= 4 and lat != lon and (abs(lat) >= 1 or abs(lon) >= 1)


def _group(location: str, loc: Loc) -> str:
    """Fields that may form one position: siblings of an object, or the items of one list ([lat, lon])."""
    return location[: location.rfind("[")] if location.endswith("]") else loc.parent
