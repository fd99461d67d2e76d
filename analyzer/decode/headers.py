"""Request headers and cookies: keep the informative ones (User-Agent, X-*, Authorization...), skip transport noise."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .query import unquote


@lru_cache(maxsize=1)
def noise_headers() -> frozenset[str]:
    text = resources.files("analyzer").joinpath("data/decode/noise_headers.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# header name as sent -> its lower-case form when worth decoding, else None (names repeat in every request)
_NAMES: dict[str, str | None] = {}


def _informative_name(name: str) -> str | None:
    n = name.lower()
    r = None if n in noise_headers() or n == "cookie" else n
    if len(_NAMES) >= 10_000:       # bounded: hostile captures may invent names
        _NAMES.clear()
    _NAMES[name] = r
    return r


def informative_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(lower-case name, value) of the headers worth decoding; cookies are handled by `cookies`."""
    out = []
    names = _NAMES
    for name, value in headers:
        n = names[name] if name in names else _informative_name(name)
        if n is not None:
            out.append((n, value))
    return out


def cookies(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, value) of every cookie in the Cookie header(s); surrounding quotes removed."""
    out = []
    for name, value in headers:
        if name.lower() != "cookie":
            continue
        for item in value.split(";"):
            k, sep, v = item.partition("=")
            k = k.strip()
            if not k:
                continue
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] == '"':
                v = v[1:-1]
            if "%" in v:   # cookie values are often percent-encoded (JSON, e-mail addresses)
                v = unquote(v)
            out.append((k, v))
    return out
