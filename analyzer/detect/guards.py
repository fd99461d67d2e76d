"""False-positive guards: when a health word in a field describes the app or its content, not the user.

Static assets (/images/pregnancy.png), CMS article fields, remote-config / A/B-test names, SDK and version
strings, user-agent text, crash stack traces and prose are all full of health words that say nothing about
the person using the app. The word lists live in data/detect/guards.json.
"""

from __future__ import annotations

import re

from .knowledge import guards
from .text import Loc, compact, tokens

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_VERSION = re.compile(r"^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$")
# a Java package or class name, possibly with the release it names (Sentry `release`: com.app.id@7.6.3+1830)
_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[A-Za-z_$][\w$]*){2,}(?:@[\w.+-]+)?$")
_FILE = re.compile(r"\.([A-Za-z0-9]{2,6})(?:[?#].*)?$")
_RANDOMISH = re.compile(r"^[A-Za-z0-9+/=_-]+$")
_RUN_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_SPAN = re.compile(r"^(?:p(?:t)?\d+[dwmyhs]|\d+\s?[dwmyh]|\d+\s?(?:days?|weeks?|months?|years?))$")

PROSE_CHARS = 200


class Guards:
    def __init__(self) -> None:
        g = guards()
        self.static_ext = g["static_extensions"]
        self.content_path = g["content_path_segments"]
        self.content_keys = g["content_keys"]
        self.content_last = g["content_last_tokens"]
        self.config_tokens = g["config_tokens"]
        self.config_segments = g["config_segments"]
        self.code_keys = g["code_keys"] | g["code_segments"]
        self.commerce = g["commerce_tokens"]
        self.skip_headers = g["skip_headers"]
        self.null_values = g["null_values"]
        self.span_values = g["span_values"]
        self.service_local = g["service_email_local_parts"]
        self.service_keys = g["service_email_key_tokens"]
        self._path_cache: dict[str, tuple[bool, bool, bool, bool]] = {}

    # -- per flow -------------------------------------------------------------------------------
    def flow_path(self, path: str) -> tuple[bool, bool]:
        """(static asset, content path) for a URL path."""
        m = _FILE.search(path)
        static = bool(m and m.group(1).lower() in self.static_ext)
        segs = {s.lower() for s in path.split("/") if s}
        return static, bool(segs & self.content_path)

    # -- per key path ---------------------------------------------------------------------------
    def key_path(self, loc: Loc, location: str = "") -> tuple[bool, bool, bool, bool]:
        """(config, content, code, commerce) for a field's key path, cached by normalized path. Remote config
        sends `entries` as an object of flags; a *list* of entries (a journal) is user data."""
        listed = "entries[" in location
        ck = loc.path + "#list" if listed else loc.path
        r = self._path_cache.get(ck)
        if r is None:
            if len(self._path_cache) > 100_000:
                self._path_cache.clear()
            config = content = code = False
            commerce = False
            for s in loc.segs:
                if s.isdigit():
                    continue
                c = compact(s)
                if c in self.config_segments and not (c == "entries" and listed):
                    config = True
                if c in self.content_keys:
                    content = True
                if c in self.code_keys:
                    code = True
                toks = tokens(s)
                for t in toks:
                    if t in self.config_tokens:
                        config = True
                    if t in self.commerce:
                        commerce = True
                if toks and toks[-1] in self.content_last:
                    content = True
            r = (config, content, code, commerce)
            self._path_cache[ck] = r
        return r

    # -- per value ------------------------------------------------------------------------------
    def is_null(self, value: str) -> bool:
        return value.strip().lower() in self.null_values

    def value_describes_app(self, value: str) -> bool:
        """A value whose words are not about the user: a URL, a file name, a version, a Java class or
        package name, a random-looking token, or prose (an article body) longer than PROSE_CHARS."""
        if len(value) > PROSE_CHARS:
            return True
        v = value.strip()
        if _URL.match(v) or v.startswith("/") or _VERSION.match(v) or _PACKAGE.match(v):
            return True
        m = _FILE.search(v)
        if m and m.group(1).lower() in self.static_ext:
            return True
        if len(v) >= 16 and _RANDOMISH.match(v) and _transitions(v) >= 5:
            return True
        return False

    def service_email(self, address: str, loc: Loc, location: str = "") -> bool:
        """An address that is the app's or the SDK's own (support, sender, config), not the user's: a role
        mailbox, a key naming such an address, or a remote-config / code path."""
        local = compact(address.split("@", 1)[0])
        if local in self.service_local or local.startswith(("noreply", "donotreply")):
            return True
        if any(t in self.service_keys for s in loc.segs for t in tokens(s)):
            return True
        config, _, code, _ = self.key_path(loc, location)
        return config or code

    def span_value(self, value: str) -> bool:
        """A time span or a plan (`week`, `monthly`, `P1M`, `30d`): what `period`/`cycle` mean on a stats or
        billing API, not a user measurement."""
        v = value.strip().lower()
        return v in self.span_values or bool(_SPAN.match(v))


def _transitions(v: str) -> int:
    """Case changes and letter/digit changes inside alphanumeric runs: a random token has many,
    `pregnancyWeek12` has two, and `period_start_logged_today` none (separators between words are not changes)."""
    n = 0
    for run in _RUN_SPLIT.split(v):
        prev = ""
        for ch in run:
            kind = "d" if ch.isdigit() else "u" if ch.isupper() else "l"
            if prev and kind != prev and not (prev == "u" and kind == "l"):
                n += 1
            prev = kind
    return n


__all__ = ["Guards", "PROSE_CHARS"]
