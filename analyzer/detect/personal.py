"""Personal information: e-mail, phone, names, birth dates, age, gender, postal address, city, zip.

E-mail is found by value anywhere (with a TLD sanity check); a phone by value only in strict E.164 form;
everything else is gated by the key name (data/detect/keys.json) and a value shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import InputError
from ..traffic.suffixes import top_level_domains
from .knowledge import keys
from .shapes import HEX_DIGEST

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-])")
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
PHONE_CHARS = re.compile(r"^\+?[\d\s().-]{7,22}$")
NAME_VALUE = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,3}\.?$")
DATE = re.compile(r"^(?:(?:19|20)\d{2}[-/.]?(?:0[1-9]|1[0-2])[-/.]?(?:0[1-9]|[12]\d|3[01])(?:[T ][\d:.]+Z?)?"
                  r"|(?:0[1-9]|[12]\d|3[01])[-/.](?:0[1-9]|1[0-2])[-/.](?:19|20)\d{2}"
                  r"|(?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\d|3[01])[-/.](?:19|20)\d{2}"
                  r"|(?:19|20)\d{2})$")
ZIP = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 -]{2,9}$")
# file extensions and code words that follow an "@" in traffic without being e-mail domains (icon@2x.png)
_NOT_TLD = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "json", "xml", "html", "htm",
                      "txt", "java", "kt", "so", "dex", "apk", "aar", "jar", "local", "localhost", "internal",
                      "invalid", "test", "example", "lan", "home"})


# placeholders apps put where a name would be
_NOT_NAMES = frozenset({"null", "none", "undefined", "unknown", "anonymous", "anonyme", "guest", "invité", "invite",
                        "user", "utilisateur", "test", "admin", "default", "me", "moi", "n/a", "na", "name", "nom"})


@dataclass(frozen=True, slots=True)
class PHit:
    data_type: str
    details: str
    conf: float
    text: str = ""


@lru_cache(maxsize=1)
def _tlds() -> frozenset[str]:
    """Top-level domains of the public suffix list tldextract bundles (no network); empty when it cannot be read,
    and then only the address's syntax is checked."""
    try:
        return top_level_domains()
    except InputError:
        return frozenset()


def find_email(value: str) -> str | None:
    if "@" not in value:
        return None
    for m in EMAIL.finditer(value):
        tld = m.group(1).lower()
        if tld in _NOT_TLD:
            continue
        tlds = _tlds()
        if tlds and tld not in tlds:
            continue
        return m.group(0)
    return None


def looks_name(value: str) -> bool:
    v = value.strip()
    return 2 <= len(v) <= 60 and bool(NAME_VALUE.match(v))


class Personal:
    def __init__(self) -> None:
        k = keys()
        self.k = k

    def by_key(self, ckey: str, parent: str, value: str, user_context: bool) -> list[PHit]:
        """Key-gated detections for a field whose compacted key is `ckey` and whose parent segment is `parent`."""
        k = self.k
        v = value.strip()
        if not v:
            return []
        hashed = bool(HEX_DIGEST.match(v))
        if ckey in k["hashed_match"]:
            # advanced-matching keys (em, ph) mean e-mail / phone only as digests under a matching block
            if hashed and parent in k["hashed_match_parents"]:
                return [PHit("personal_info.email" if ckey.startswith("em") else "personal_info.phone",
                             "email_sha256" if ckey.startswith("em") else "phone_sha256", 0.8)]
            return []
        if ckey in k["email"]:
            if hashed:
                return [PHit("personal_info.email", "email_sha256", 0.8)]
            return []           # clear addresses are found by value
        if ckey in k["phone"]:
            if hashed:
                return [PHit("personal_info.phone", "phone_sha256", 0.8)]
            if PHONE_CHARS.match(v) and 7 <= sum(c.isdigit() for c in v) <= 15:
                return [PHit("personal_info.phone", "phone", 0.85)]
            return []
        if ckey in k["name_strong"] or (ckey in k["name_weak"] and (parent in k["name_context"] or user_context)):
            if hashed:
                return [PHit("personal_info.name", "name_sha256", 0.8)]
            if looks_name(v) and v.lower() not in _NOT_NAMES:
                strong = ckey in k["name_strong"]
                if strong or " " in v or v[:1].isupper():
                    return [PHit("personal_info.name", "name", 0.85 if strong else 0.7)]
            return []
        if ckey in k["birth_date"]:
            if hashed or DATE.match(v):
                return [PHit("personal_info.other", "birth_date", 0.85)]
            return []
        if ckey in k["age"]:
            if v.isdigit() and 10 <= int(v) <= 120:
                return [PHit("personal_info.other", "age", 0.7)]
            return []
        if ckey in k["gender"]:
            if v.lower() in k["gender_values"] or hashed:
                return [PHit("personal_info.other", "gender", 0.75)]
            return []
        for group, dt in (("sexual_orientation", "personal_info.sexual_orientation"),
                          ("ethnicity", "personal_info.race_ethnicity"), ("religion", "personal_info.political_religious")):
            if ckey in k[group]:
                if 2 <= len(v) <= 60 and any(c.isalpha() for c in v) and v.lower() not in ("null", "none", "undefined",
                                                                                           "unknown", "true", "false"):
                    return [PHit(dt, group, 0.75)]
                return []
        if ckey in k["address"]:
            if len(v) >= 5 and any(c.isalpha() for c in v) and v.lower() not in ("null", "none", "undefined"):
                return [PHit("personal_info.address", "address", 0.8)]
            return []
        if ckey in k["city"]:
            if hashed or (2 <= len(v) <= 60 and looks_name(v)):
                return [PHit("location.approximate", "city", 0.75)]
            return []
        if ckey in k["zip"]:
            if hashed or ZIP.match(v):
                return [PHit("location.approximate", "zip", 0.75)]
            return []
        return []

    def by_value(self, value: str) -> list[PHit]:
        out: list[PHit] = []
        if "@" in value and len(value) <= 4096:
            e = find_email(value)
            if e:
                out.append(PHit("personal_info.email", "email", 0.9, e))
        if value[:1] == "+" and E164.match(value):
            out.append(PHit("personal_info.phone", "phone", 0.7, value))
        return out
