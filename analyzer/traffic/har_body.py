"""The request bytes a HAR entry stands for, per exporter (`log.creator.name`).

A HAR holds bodies as JSON text, and each exporter turned bytes into text its own way:

- mitmproxy (`addons/savehar.py`): `request.get_text(strict=False)`: the body with its Content-Encoding removed,
  decoded with the charset `infer_content_encoding` picks (Content-Type charset, else UTF-8 for JSON, HTML, XML,
  JavaScript and CSS, else latin-1), and when that fails, UTF-8 with surrogate escapes. Inverted exactly: text with
  escaped bytes (U+DC80..U+DCFF) was the fallback; else it is encoded back with the charset mitmproxy's own
  function picks.
- Chrome/Firefox devtools: UTF-8 text (bytes that were not UTF-8 are already lost as U+FFFD: said so, "utf-8-lossy").
- HTTP Toolkit: `_content` (base64) beside the text when the body is not UTF-8; PCAPdroid, Fiddler and others:
  `encoding: "base64"`; a `data:` URI.
- any other (Charles, Proxyman, unknown): the candidates (UTF-8 with surrogate escapes, latin-1) are judged by what
  decodes: the size the HAR or Content-Length gives, compression magic, a whole JSON document or protobuf message
  once the Content-Encoding is removed. The choice is recorded as `guessed:<candidate>`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from mitmproxy.net.http.headers import infer_content_encoding

from ..decode.compression import decode_body, sniff
from ..decode.protobuf import parse_message

# log.creator.name (lower case) -> the rule of that exporter
EXPORTERS = {"mitmproxy": "mitmproxy", "webinspector": "devtools", "firefox": "devtools", "chrome": "devtools",
             "http toolkit": "httptoolkit", "httptoolkit": "httptoolkit", "pcapdroid": "pcapdroid",
             "charles": "charles", "proxyman": "proxyman", "fiddler": "fiddler"}
MAX_JUDGED = 4 << 20        # bytes of a candidate parsed whole when judging (a larger body is judged by size/magic)


class BodyError(ValueError):
    """A body that cannot be turned into bytes (bad base64)."""


@dataclass(frozen=True, slots=True)
class Recovered:
    body: bytes
    how: str                # Flow.body_encoding


def exporter_of(creator: str | None) -> str:
    """The exporter rule for a `log.creator.name`: mitmproxy | devtools | httptoolkit | pcapdroid | charles |
    proxyman | fiddler | unknown."""
    name = (creator or "").strip().lower()
    for key, rule in EXPORTERS.items():
        if key in name:
            return rule
    return "unknown"


def b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as e:
        raise BodyError(f"bad base64 body: {e}") from e


def _escaped(text: str) -> bool:
    """Text holding surrogates: bytes that were not valid in the charset, escaped by `surrogateescape`."""
    return any("\ud800" <= c <= "\udfff" for c in text) if not text.isascii() else False


def utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:          # a surrogate outside U+DC80..U+DCFF: not an escaped byte
        return text.encode("utf-8", "surrogatepass")


def mitmproxy_bytes(text: str, content_type: str) -> Recovered:
    """Invert `mitmproxy.http.Message.get_text(strict=False)` for this Content-Type."""
    if _escaped(text):
        return Recovered(utf8(text), "mitmproxy:utf-8-surrogateescape")
    # mitmproxy sniffs only ASCII patterns (<meta charset>, <?xml encoding>, @charset) in the content
    enc = infer_content_encoding(content_type, text.encode("ascii", "ignore") if not text.isascii() else
                                 text.encode("ascii"))
    try:
        return Recovered(text.encode(enc), f"mitmproxy:{enc.lower()}")
    except (UnicodeEncodeError, LookupError):
        return Recovered(utf8(text), "mitmproxy:utf-8-surrogateescape")


def text_bytes(text: str, rule: str, content_type: str, content_encoding: str | None,
               sizes: tuple[int | None, ...]) -> Recovered:
    """Bytes of a body the exporter wrote as plain text."""
    if rule == "mitmproxy":
        return mitmproxy_bytes(text, content_type)
    if text.isascii():
        return Recovered(text.encode("ascii"), "utf-8")
    if rule in ("devtools", "httptoolkit", "pcapdroid"):
        return Recovered(utf8(text), "utf-8-lossy" if "\ufffd" in text else "utf-8")
    return guess(text, content_encoding, sizes)


def guess(text: str, content_encoding: str | None, sizes: tuple[int | None, ...]) -> Recovered:
    """An unknown exporter: the candidate that decodes best (ties go to UTF-8, what most exporters write)."""
    candidates = [("utf-8-surrogateescape" if _escaped(text) else "utf-8", utf8(text))]
    if all(ord(c) < 256 for c in text):
        candidates.append(("latin-1", text.encode("latin-1")))
    best = max(candidates, key=lambda c: _score(c[1], content_encoding, sizes))
    return Recovered(best[1], f"guessed:{best[0]}")


def _score(body: bytes, content_encoding: str | None, sizes: tuple[int | None, ...]) -> int:
    score = 0
    if any(s == len(body) for s in sizes if s):
        score += 4
    if sniff(body) in ("gzip", "zstd", "deflate"):
        score += 2
    if len(body) <= MAX_JUDGED:
        plain = decode_body(body, content_encoding, only_if_encoded=True) if content_encoding else None
        if plain is not None and plain.error:
            score -= 2
        data = plain.body if plain is not None else body
        try:
            json.loads(data)
            score += 2
        except (ValueError, RecursionError):
            if parse_message(memoryview(data)) is not None:
                score += 1
    return score
