"""application/x-www-form-urlencoded bodies (Adjust, Mixpanel, Amplitude legacy, gzip'd FB app events)."""

from __future__ import annotations

import re

from .query import parse_pairs

# A form body: key=value pairs joined by &, no raw whitespace inside (a trailing newline is tolerated).
_FORM_RE = re.compile(r"[^\s=&]+=[^\s&]*(?:&[^\s=&]*(?:=[^\s&]*)?)*&?\s*")


def looks_like_form(text: str, declared: bool) -> bool:
    """Decide by content; the Content-Type (`declared`) only relaxes the whitespace rule."""
    if "=" not in text:
        return False
    if declared:
        return "\n" not in text.rstrip()
    return _FORM_RE.fullmatch(text) is not None


def parse_form(text: str, max_pairs: int) -> list[tuple[str, str]]:
    return parse_pairs(text.strip(), max_pairs)
