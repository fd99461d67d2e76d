"""URL query strings and path segments."""

from __future__ import annotations

import codecs
import urllib.parse


def unquote(text: str, plus: bool = False) -> str:
    """Percent-decoding with the result of urllib's unquote / unquote_plus (errors="replace"), done in C:
    every `%` becomes `\\x` (backslashes doubled first) for codecs.escape_decode. URL-encoded JSON bodies
    (Amplitude, Meta) hold hundreds of escapes, and urllib walks them one at a time in Python (13x slower).
    Anything escape_decode refuses (`%zz`, a lone surrogate) goes to urllib, which keeps it literal."""
    if plus and "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        raw = text.encode("utf-8").replace(b"\\", b"\\\\").replace(b"%", b"\\x")
        return codecs.escape_decode(raw)[0].decode("utf-8", "replace")
    except ValueError:
        return urllib.parse.unquote(text, errors="replace")     # "+" already replaced when plus


def parse_pairs(text: str, max_pairs: int) -> list[tuple[str, str]]:
    """`a=1&b=x%20y` -> [("a", "1"), ("b", "x y")]; blank values kept, at most `max_pairs` pairs.
    Same result as urllib's parse_qsl(keep_blank_values=True), about 3x faster on the short strings of SDKs."""
    out: list[tuple[str, str]] = []
    if not text:
        return out
    for part in text.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        if "%" in part or "+" in part:
            k = unquote(k, plus=True)
            v = unquote(v, plus=True)
        out.append((k, v))
        if len(out) >= max_pairs:
            break
    return out


def path_segments(path: str) -> list[str]:
    """Non-empty, percent-decoded segments: `/v16.0/123/activities` -> ["v16.0", "123", "activities"]."""
    if "%" not in path:
        return [s for s in path.split("/") if s]
    return [unquote(s) for s in path.split("/") if s]


def label_repeats(keys: list[str]) -> list[str]:
    """A key seen once keeps its name; a repeated key gets an index on every occurrence (`k[0]`, `k[1]`),
    so each location names exactly one value."""
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    if len(counts) == len(keys):
        return list(keys)
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        if counts[k] == 1:
            out.append(k)
        else:
            i = seen.get(k, 0)
            seen[k] = i + 1
            out.append(f"{k}[{i}]")
    return out
