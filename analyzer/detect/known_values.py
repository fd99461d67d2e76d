"""Known values: the persona's own identifiers and personal data, found however an SDK encodes them.

All the forms are computed once per Detector (exact, case-folded, URL-encoded, base64, MD5/SHA-1/SHA-256 of the
normalized email and phone, as Meta and Google "advanced matching" send them), so each field costs one set
lookup plus, for values of reasonable length, one regex search over all needles at once.
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from dataclasses import dataclass

from .knowledge import keys as _keys
from .lexicon import Lexicon
from .persona import Persona

MAX_SEARCH = 64 * 1024        # longer values are only compared whole
MIN_SUBSTRING = 8             # shorter needles are only compared whole (a 4-digit year would match everywhere)
MIN_GLUED = 16                # needles at least this long, letters and digits mixed, are found glued to other text
MIN_CUSTOM = 4                # shorter custom values are ignored altogether


_PHONEISH = re.compile(r"^\+?[\d(][\d\s().-]+$")
_NON_DIGIT = re.compile(r"\D")
_PLAIN_DROP = str.maketrans("", "", "-._")


def _plain(v: str) -> bool:
    """Letters and digits only (dashes, dots and underscores aside): a value that cannot hold a needle
    as a part, as tokens are separated by something else."""
    return v.translate(_PLAIN_DROP).isalnum()


def _random_looking(needle: str) -> bool:
    """An id or a digest (letters and digits mixed), not a word or a name that may occur inside other words."""
    core = needle.translate(_PLAIN_DROP)
    return core.isalnum() and any(c.isdigit() for c in core) and any(c.isalpha() for c in core)


@dataclass(frozen=True, slots=True)
class Need:
    data_type: str
    details: str
    form: str                 # e.g. "sha256(email)", "base64", "exact"


def _hashes(text: str) -> dict[str, str]:
    b = text.encode("utf-8")
    out = {}
    for name in ("md5", "sha1", "sha256"):
        h = hashlib.new(name, b)
        out[name] = h.hexdigest()
        out[name + "_b64"] = base64.b64encode(h.digest()).decode().lower()
    return out


def _b64_forms(text: str) -> list[str]:
    b = text.encode("utf-8")
    s = base64.b64encode(b).decode()
    u = base64.urlsafe_b64encode(b).decode()
    return list({s, s.rstrip("="), u, u.rstrip("=")})


def phone_forms(phone: str) -> dict[str, str]:
    """Digit-only, E.164 with and without '+', and the national form with a trunk 0 when the country code is
    recognisable (ITU E.164 assignment: 1 and 7 are one digit, a listed set is two, the rest three)."""
    digits = re.sub(r"\D", "", phone)
    out = {"digits": digits}
    if phone.strip().startswith("+") or phone.strip().startswith("00"):
        if phone.strip().startswith("00"):
            digits = digits[2:]
            out["digits"] = digits
        out["e164"] = "+" + digits
        cc_len = 1 if digits[:1] in ("1", "7") else 2 if digits[:2] in _keys()["two_digit_country_codes"] else 3
        national = digits[cc_len:]
        out["national"] = national if digits[:1] == "1" else "0" + national
        out["national_bare"] = national
    return {k: v for k, v in out.items() if len(v) >= 6}


def _date_forms(iso: str) -> list[str]:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        return [iso]
    y, mo, d = m.groups()
    return [f"{y}-{mo}-{d}", f"{y}{mo}{d}", f"{d}/{mo}/{y}", f"{mo}/{d}/{y}", f"{d}.{mo}.{y}", f"{y}/{mo}/{d}",
            f"{d}-{mo}-{y}"]


class KnownValues:
    def __init__(self, persona: Persona, lexicon: Lexicon):
        self.persona = persona
        self.exact: dict[str, Need] = {}
        self.phone_digits: dict[str, Need] = {}
        names: dict[str, Need] = {}
        p = persona

        def add(value: str | None, need: Need) -> None:
            if value:
                self.exact.setdefault(value.lower(), need)

        def add_hashes(text: str, dt: str, details: str, label: str) -> None:
            for algo, h in _hashes(text).items():
                add(h, Need(dt, details, f"{algo}({label})"))

        if p.advertising_id:
            a = p.advertising_id.strip()
            n = Need("device_ids", "advertising_id", "exact")
            add(a, n)
            add(a.replace("-", ""), Need("device_ids", "advertising_id", "no dashes"))
            add_hashes(a.lower(), "device_ids", "advertising_id", "advertising_id")
            add_hashes(a.upper(), "device_ids", "advertising_id", "ADVERTISING_ID")
        if p.android_id:
            a = p.android_id.strip()
            add(a, Need("device_ids", "android_id", "exact"))
            add_hashes(a.lower(), "device_ids", "android_id", "android_id")
        if p.email:
            raw = p.email.strip()
            norm = raw.lower()
            add(norm, Need("personal_info.email", "email", "exact"))
            add(urllib.parse.quote(norm, safe=""), Need("personal_info.email", "email", "url-encoded"))
            add(urllib.parse.quote_plus(norm), Need("personal_info.email", "email", "url-encoded"))
            for form in {*(_b64_forms(norm)), *(_b64_forms(raw))}:
                add(form, Need("personal_info.email", "email", "base64"))
            add_hashes(norm, "personal_info.email", "email_sha256", "email")
        if p.phone:
            for label, form in phone_forms(p.phone).items():
                n = Need("personal_info.phone", "phone", label)
                add(form, n)
                if form.isdigit():
                    self.phone_digits[form] = n
                add_hashes(form, "personal_info.phone", "phone_sha256", f"phone {label}")
            add(p.phone.strip(), Need("personal_info.phone", "phone", "exact"))
        if p.name:
            full = " ".join(p.name.split())
            for form in {full.lower(), urllib.parse.quote(full.lower()), urllib.parse.quote_plus(full.lower())}:
                names[form] = Need("personal_info.name", "name", "exact")
            for part in full.lower().split():
                if len(part) >= 2:
                    add_hashes(part, "personal_info.name", "name_sha256", "name part")
            add_hashes(full.lower(), "personal_info.name", "name_sha256", "name")
        if p.birth_date:
            for form in _date_forms(p.birth_date.strip()):
                add(form, Need("personal_info.other", "birth_date", "date"))
            m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", p.birth_date.strip())
            if m:
                add_hashes("".join(m.groups()), "personal_info.other", "birth_date", "yyyymmdd")
        for label, value in p.custom.items():
            v = value.strip()
            if len(v) < MIN_CUSTOM:
                continue
            hits = lexicon.scan(label).hits
            need = Need(hits[0].term.data_type, hits[0].term.details, f"custom:{label}") if hits else \
                Need("personal_info.other", f"custom:{label}", f"custom:{label}")
            add(v, need)
            add(urllib.parse.quote(v.lower(), safe=""), need)

        # inside text, clear, encoded and formatted forms are searched, and digests (a hash in a list: m=[<sha256>])
        subs = sorted((k for k, n in self.exact.items() if len(k) >= (MIN_SUBSTRING if "(" not in n.form else 32)),
                      key=len, reverse=True)
        self._sub_re = re.compile("|".join(re.escape(s) for s in subs)) if subs else None
        # random-looking needles are searched even in plain values, where they may be glued to a prefix
        # (AND<android_id>) or sit in a hex dump of binary bytes (a UUID's 16 raw bytes)
        glued = [k for k in subs if len(k) >= MIN_GLUED and _random_looking(k)]
        self._glued_re = re.compile("|".join(re.escape(s) for s in glued)) if glued else None
        self._name_re = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(s) for s in names) + r")(?![\w])") \
            if names else None
        self._names = names
        self.min_len = min((len(k) for k in self.exact), default=0)
        # a value shorter than every needle (exact forms, names) cannot hold one: no lookup at all
        self._shortest = min([self.min_len, *(len(k) for k in names)]) if self.exact or names else 0
        self._cache: dict[str, list[tuple[Need, str]]] = {}

    def match(self, value: str) -> list[tuple[Need, str]]:
        """Needles found in `value`, each with the matched text (cached by value: ids repeat in every flow)."""
        if len(value) < self._shortest or not value:
            return []
        if len(value) > 256:
            return self._match(value)
        r = self._cache.get(value)
        if r is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            r = self._match(value)
            self._cache[value] = r
        return r

    def _match(self, value: str) -> list[tuple[Need, str]]:
        vl = value.lower().strip()
        out: list[tuple[Need, str]] = []
        n = self.exact.get(vl)
        if n is not None:
            out.append((n, vl))
        elif MIN_SUBSTRING < len(vl) <= MAX_SEARCH:
            if _plain(vl):
                # letters and digits only: just random-looking needles, glued to a prefix or in a hex dump
                m = self._glued_re.search(vl) if self._glued_re is not None and len(vl) > MIN_GLUED else None
                if m:
                    out.append((self.exact[m.group(0)], m.group(0)))
            else:
                # a needle inside a longer value needs a separator around it ("Bearer x", "mailto:x", "a=x&b")
                if self._sub_re is not None:
                    m = self._sub_re.search(vl)
                    if m:
                        out.append((self.exact[m.group(0)], m.group(0)))
                if self._name_re is not None:
                    m = self._name_re.search(vl)
                    if m:
                        out.append((self._names[m.group(0)], m.group(0)))
        if n is None and self._names and vl in self._names:
            out.append((self._names[vl], vl))
        if self.phone_digits and not out and 8 <= len(vl) <= 25 and _PHONEISH.match(vl):
            d = _NON_DIGIT.sub("", vl)
            n = self.phone_digits.get(d)
            if n is not None:
                out.append((n, vl))
        return out

    def match_point(self, lat: float, lat_dec: int, lon: float, lon_dec: int) -> bool:
        """True when (lat, lon) is the persona's position within rounding: compared at the coarser of the
        decimals sent (>= 2) and the decimals the persona gives, with one unit of slack (rounding or truncation)."""
        p = self.persona
        if p.lat is None or p.lon is None or min(lat_dec, lon_dec) < 2:
            return False
        tol_lat = 10 ** -min(lat_dec, _decimals(p.lat)) + 1e-9
        tol_lon = 10 ** -min(lon_dec, _decimals(p.lon)) + 1e-9
        return abs(lat - p.lat) <= tol_lat and abs(lon - p.lon) <= tol_lon


def _decimals(x: float) -> int:
    r = repr(x)
    return len(r) - r.index(".") - 1 if "." in r and "e" not in r else 6
