"""The walk: turns decoded structures into Field leaves, choosing each decoder by content.

Location scheme (see the package docstring): containers join with `.` (`body.json.a.b[2].c`); a decoding step is
written `|step` (`query.data|base64|json.properties.mood`, `body|gzip|protobuf.1.2`); JSON found inside a string
continues the path directly (`body.form.custom_events[2]._eventName`).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from ..model import Field
from . import b64, binstrings, compression, json_body, protobuf
from .form import looks_like_form, parse_form
from .jwt_token import jwt_claims
from .limits import (DEFAULT_LIMITS, MAX_DECODED_BYTES, MAX_DEPTH, MAX_FIELDS, OPAQUE_PAYLOAD, TIME_BUDGET,
                     BudgetExceeded, Limits)
from .multipart import parse_multipart
from .query import label_repeats

# a URL with a query, and a form of identifier-like keys (k=v, joined by & or ;) inside a string value
_URL_WITH_QUERY = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s?#]*\?[^\s=&]+=", re.I)
_NESTED_FORM = re.compile(r"[A-Za-z_$][\w.$\[\]-]{0,63}=[^\s&;=]+(?:[&;][A-Za-z_$][\w.$\[\]-]{0,63}=[^\s&;=]*)*[&;]?")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXTUAL_RE = re.compile(r"json|x-www-form-urlencoded|text/|xml")
_HEX_EXCERPT = 64        # bytes shown as hex for an undecodable binary leaf
_CUT_EXCERPT = 200       # characters kept of a subtree cut at max_depth
_PACKED_LIMIT = 1024
_STRINGS_SCAN = 1 << 20   # bytes of an undecodable buffer searched for strings
_HEX_FULL = 16 * 1024     # bytes of an undecodable buffer also given whole in hex
_FIELD1_TAGS = (0x09, 0x0A, 0x0D)
_SHORT = b64.MIN_LEN          # shorter strings cannot be base64 or a JWT: emitted as they are unless JSON-like
_OPENERS = ("{", "[", "")
# Python recursion is used for nesting; this keeps it far below the interpreter limit whatever Limits says.
_HARD_DEPTH = 200
# Strings that look like base64 but decode to nothing acceptable ("fb_mobile_activate_app", "analytics-kotlin",
# "Android Bugsnag Notifier") repeat in every request of an SDK. The verdict depends only on the string (and the
# limits: kept for the default ones only), so it is remembered with the bytes its decoding counted and the depth
# it was tried at (a deeper try might meet the depth bound). Bounded, so memory stays flat.
_NOT_B64: dict[str, tuple[int, int]] = {}
_NOT_B64_MAX = 50_000
_NOT_B64_CHARS = 256
_NUM_TEXT_N = 256
_NUM_TEXT = tuple(str(i) for i in range(_NUM_TEXT_N))    # protobuf field numbers as keys, made once


def is_printable(text: str) -> bool:
    return _CTRL_RE.search(text) is None


def hex_excerpt(data) -> str:
    if len(data) <= _HEX_EXCERPT:
        return bytes(data).hex()
    return bytes(data[:_HEX_EXCERPT]).hex() + f"…({len(data)} bytes)"


def scalar_text(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    return str(v) if not isinstance(v, float) else repr(v)


class Walker:
    """Per-flow state: the fields found so far and what is left of the budget."""

    __slots__ = ("limits", "flow_id", "fields", "bounds", "deadline", "produced", "max_depth", "_max_fields",
                 "_max_chars", "_bound_calls", "_not_b64", "_inline_below")

    def __init__(self, limits: Limits, flow_id: str):
        self.limits = limits
        self.flow_id = flow_id
        self.fields: list[Field] = []
        self.bounds: list[str] = []
        self.deadline = time.monotonic() + limits.time_budget_s
        self.produced = 0
        self.max_depth = min(limits.max_depth, _HARD_DEPTH)
        self._max_fields = limits.max_fields
        self._max_chars = limits.max_value_chars
        self._inline_below = _SHORT if self._max_chars >= _SHORT else 0     # strings walk_json may append as they are
        self._bound_calls = 0
        self._not_b64 = _NOT_B64 if limits == DEFAULT_LIMITS else None

    # --- budget -------------------------------------------------------------------------------------------
    def bound(self, name: str) -> None:
        self._bound_calls += 1
        if name not in self.bounds:
            self.bounds.append(name)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(TIME_BUDGET)

    def room(self) -> int:
        """Bytes that decoding may still produce for this flow."""
        return max(0, self.limits.max_decoded_bytes - self.produced)

    def emit(self, location: str, key: str, value: str) -> None:
        fields = self.fields
        n = len(fields)
        if n >= self._max_fields:
            raise BudgetExceeded(MAX_FIELDS)
        if len(value) > self._max_chars:
            value = value[: self._max_chars] + "…"
        fields.append(Field(location, key, value, self.flow_id))
        if n & 255 == 255:
            self.check_time()

    def cut(self, location: str, key: str, value: Any) -> None:
        """A subtree below max_depth: reported, and kept as one excerpt leaf so nothing vanishes silently."""
        self.bound(MAX_DEPTH)
        if isinstance(value, (bytes, bytearray, memoryview)):
            text = hex_excerpt(value)
        elif isinstance(value, str):
            text = value[:_CUT_EXCERPT]
        else:
            try:
                text = json.dumps(value, ensure_ascii=False)[:_CUT_EXCERPT]
            except (RecursionError, ValueError, TypeError):
                text = ""
        self.emit(location, key, text)

    # --- JSON values ----------------------------------------------------------------------------------------
    def walk_json(self, obj: Any, loc: str, key: str, depth: int) -> None:
        if depth > self.max_depth:
            self.cut(loc, key, obj)
            return
        d1 = depth + 1
        # Short strings, the bulk of SDK payloads, are appended here rather than through emit(): they are below
        # max_value_chars by construction, and the field bound is checked the same way (time is checked by the
        # emit() and walk calls that every payload also makes, and max_fields caps the rest).
        fields, fid, max_fields, short = self.fields, self.flow_id, self._max_fields, self._inline_below
        if isinstance(obj, dict):
            for k, v in obj.items():
                sub = f"{loc}.{k}"
                if type(v) is str:
                    if len(v) < short and v[:1] not in _OPENERS:
                        if len(fields) >= max_fields:
                            raise BudgetExceeded(MAX_FIELDS)
                        fields.append(Field(sub, k, v, fid))
                    else:
                        self.walk_text(v, sub, k, d1)
                elif isinstance(v, (dict, list)):
                    self.walk_json(v, sub, k, d1)
                else:
                    self.emit(sub, k, scalar_text(v))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                sub = f"{loc}[{i}]"
                if type(v) is str:
                    if len(v) < short and v[:1] not in _OPENERS:
                        if len(fields) >= max_fields:
                            raise BudgetExceeded(MAX_FIELDS)
                        fields.append(Field(sub, key, v, fid))
                    else:
                        self.walk_text(v, sub, key, d1)
                elif isinstance(v, (dict, list)):
                    self.walk_json(v, sub, key, d1)
                else:
                    self.emit(sub, key, scalar_text(v))
        elif isinstance(obj, str):
            self.walk_text(obj, loc, key, depth)
        else:
            self.emit(loc, key, scalar_text(obj))

    # --- strings: JSON inside, JWT, base64 --------------------------------------------------------------------
    def walk_text(self, s: str, loc: str, key: str, depth: int) -> None:
        n = len(s)
        if n < b64.MIN_LEN and not (n >= 2 and s[0] in "{[" ):
            self.emit(loc, key, s)
            return
        first = s.lstrip()[:1]
        if depth > self.max_depth:
            # kept whole as a leaf; the bound is reported only if it might have held more structure
            if first in ("{", "[") or b64.looks_base64(s) or (first == "e" and "." in s):
                self.bound(MAX_DEPTH)
            self.emit(loc, key, s)
            return
        if first in ("{", "["):
            obj, err = json_body.loads_container(s)
            if err is None:
                self.walk_json(obj, loc, key, depth + 1)
                return
            if err == json_body.TOO_DEEP:
                self.bound(MAX_DEPTH)
        elif first in ("e", "B", "b") and "." in s:
            claims = jwt_claims(s)
            if claims is not None:
                self.walk_json(claims, f"{loc}|jwt", key, depth + 1)
                return
        if b64.looks_base64(s) and self.try_base64(s, loc, key, depth):
            return
        self.emit(loc, key, s)
        if "=" in s:
            self.walk_pairs(s, loc, depth)

    def walk_pairs(self, s: str, loc: str, depth: int) -> None:
        """A URL with its own query, or a form (`k=v&k2=v2`, `k=v;k2=v2`) inside a string: its values walked
        again at `<loc>|url.<k>` / `<loc>|form.<k>` (the whole string stays a leaf too)."""
        if depth > self.max_depth:
            return
        if _URL_WITH_QUERY.match(s):
            step, text = "url", s.split("?", 1)[1].split("#", 1)[0]
        elif _NESTED_FORM.fullmatch(s):
            step, text = "form", s
        else:
            return
        sep = ";" if step == "form" and ";" in s and "&" not in s else "&"
        pairs = parse_form(text.replace(";", "&") if sep == ";" else text, self.limits.max_fields)
        for (k, v), label in zip(pairs, label_repeats([k for k, _ in pairs])):
            if v:
                self.walk_text(v, f"{loc}|{step}.{label}", k, depth + 1)

    def try_base64(self, s: str, loc: str, key: str, depth: int) -> bool:
        if len(s) * 3 // 4 > self.room():
            self.bound(MAX_DECODED_BYTES)
            return False
        cache = self._not_b64 if len(s) <= _NOT_B64_CHARS else None
        if cache is not None:
            known = cache.get(s)
            if known is not None and depth <= known[1]:
                self.produced += known[0]
                return False
        data = b64.b64decode(s)
        if not data:
            return False
        self.produced += len(data)
        n_fields, n_bounds, produced = len(self.fields), self._bound_calls, self.produced
        ok = self.walk_bytes(memoryview(data), f"{loc}|base64", key, depth + 1, strict=True)
        # remembered only when the try left no trace but the bytes counted (no field, no bound, nothing decompressed)
        if not ok and cache is not None and len(self.fields) == n_fields and self._bound_calls == n_bounds \
                and self.produced == produced:
            if len(cache) >= _NOT_B64_MAX:
                cache.clear()
            cache[s] = (len(data), depth)
        return ok

    # --- bytes: compression, JSON, text, protobuf -----------------------------------------------------------
    def walk_bytes(self, data: memoryview, loc: str, key: str, depth: int, strict: bool,
                   hint: str | None = None) -> bool:
        """Decode `data` by content. strict: accept only JSON, printable text or a whole protobuf message (used for
        base64 guesses); otherwise an undecodable buffer becomes a hex leaf. Returns whether it was accepted."""
        if not data:
            self.emit(loc, key, "")
            return True
        if depth > self.max_depth:
            self.cut(loc, key, data)
            return True
        self.check_time()
        kind = compression.sniff(data, hint)
        if kind is not None:
            out = self.decompress(kind, data)
            if out is not None:
                return self.walk_bytes(memoryview(out), f"{loc}|{kind}", key, depth + 1, strict=False)
        try:
            text = str(data, "utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and is_printable(text):
            first = text.lstrip()[:1]
            if first in ("{", "["):
                obj, err = json_body.loads_container(text)
                if err is None:
                    self.walk_json(obj, f"{loc}|json", key, depth + 1)
                    return True
                if err == json_body.TOO_DEEP:
                    self.bound(MAX_DEPTH)
            if data[0] in _FIELD1_TAGS:
                parsed = protobuf.parse_message(data, deadline=self.deadline, keep=self.limits.max_fields)
                if parsed is not None and (not strict or _plausible_message(parsed)):
                    self.walk_protobuf(parsed, f"{loc}|protobuf", depth + 1)
                    return True
            if strict and not _texty(text):
                return False
            self.walk_text(text, loc, key, depth + 1)
            return True
        parsed = protobuf.parse_message(data, deadline=self.deadline,
                                        keep=self.limits.max_fields)
        if parsed is not None and (not strict or _plausible_message(parsed)):
            self.walk_protobuf(parsed, f"{loc}|protobuf", depth + 1)
            return True
        if strict:
            # last guess: brotli (no magic bytes), kept only if what comes out is itself accepted
            room = self.room()
            out = compression.whole_brotli(data, room) if room > 0 and hint is None else None
            if out is not None:
                self.produced += len(out)
                return self.walk_bytes(memoryview(out), f"{loc}|br", key, depth + 1, strict=True, hint="")
            return False
        self.binary_leaf(data, loc, key)
        return True

    def binary_leaf(self, data, loc: str, key: str) -> None:
        """Bytes no decoder reads: a hex excerpt, and the strings inside as `<loc>|strings[i]` (length-prefixed
        or printable runs); a near-random buffer is named as an opaque payload (a limit of what could be seen)."""
        self.emit(loc, key, hex_excerpt(data))
        if len(data) > _HEX_EXCERPT:     # all of it in hex, where raw identifiers (a UUID's 16 bytes) can be found
            self.emit(f"{loc}|hex", key, bytes(data[:_HEX_FULL]).hex())
        found = binstrings.strings(bytes(data[:_STRINGS_SCAN]))
        for i, s in enumerate(found):
            self.emit(f"{loc}|strings[{i}]", key, s)
        if binstrings.opaque(bytes(data), found):
            self.bound(OPAQUE_PAYLOAD)

    def decompress(self, kind: str, data) -> bytes | None:
        room = self.room()
        if room <= 0:
            self.bound(MAX_DECODED_BYTES)
            return None
        out, capped = compression.decompress(kind, data, room)
        if out is None:
            return None
        self.produced += len(out)
        if capped:
            self.bound(MAX_DECODED_BYTES)
        self.check_time()
        return out

    # --- protobuf -------------------------------------------------------------------------------------------
    def walk_protobuf(self, parsed, loc: str, depth: int) -> None:
        """Field numbers as path keys; a number occurring more than once in a message is indexed on every
        occurrence (`2[0]`, `2[1]`); a single occurrence has no index."""
        entries, counts = parsed
        if len(entries) < sum(counts.values()):
            self.bound(MAX_FIELDS)
        seen: dict[int, int] = {}
        d1 = depth + 1
        for num, wt, value in entries:
            key = _NUM_TEXT[num] if num < _NUM_TEXT_N else str(num)
            if counts[num] > 1:
                i = seen.get(num, 0)
                seen[num] = i + 1
                sub = f"{loc}.{num}[{i}]"
            else:
                sub = f"{loc}.{num}"
            if wt == 0:
                self.emit(sub, key, protobuf.varint_text(value))
            elif wt == 2:
                self.walk_length_delimited(value, sub, key, d1)
            elif wt == 1:
                self.emit(sub, key, protobuf.fixed64_text(value))
            else:
                self.emit(sub, key, protobuf.fixed32_text(value))

    def walk_length_delimited(self, buf: memoryview, loc: str, key: str, depth: int) -> None:
        """String if UTF-8 printable, else nested message if it parses whole, else compressed data, else bytes
        (hex) plus, when they read as such, packed varints at `<loc>|packed[j]`."""
        if not buf:
            self.emit(loc, key, "")
            return
        try:
            text = str(buf, "utf-8")
        except UnicodeDecodeError:
            text = None
        parsed = None
        if text is not None and is_printable(text):
            # Tags of field 1 are \t \n \r: a "string" opening with one of them is far more likely a message.
            if buf[0] not in _FIELD1_TAGS or depth > self.max_depth:
                if len(text) < _SHORT and text[:1] not in _OPENERS:
                    self.emit(loc, key, text)
                else:
                    self.walk_text(text, loc, key, depth)
                return
            parsed = protobuf.parse_message(buf, deadline=self.deadline, keep=self.limits.max_fields)
            if parsed is None:
                self.walk_text(text, loc, key, depth)
                return
        if depth > self.max_depth:
            self.cut(loc, key, buf)
            return
        self.check_time()
        if parsed is None:
            parsed = protobuf.parse_message(buf, deadline=self.deadline, keep=self.limits.max_fields)
        if parsed is not None:
            self.walk_protobuf(parsed, loc, depth)
            return
        if compression.sniff(buf) is not None:
            self.walk_bytes(buf, loc, key, depth, strict=False)
            return
        self.emit(loc, key, hex_excerpt(buf))
        packed = protobuf.packed_varints(buf, _PACKED_LIMIT)
        if packed is not None and len(packed) >= 2:
            for j, v in enumerate(packed):
                self.emit(f"{loc}|packed[{j}]", key, protobuf.varint_text(v))

    # --- request bodies -------------------------------------------------------------------------------------
    def walk_body(self, data: memoryview, loc: str, content_type: str, hint: str | None, depth: int) -> None:
        """A request body: compression layers first, then multipart, JSON, NDJSON/envelope, form, text, protobuf.
        The Content-Type is a hint only (app-measurement sends protobuf labelled as a form)."""
        for _ in range(4):
            kind = compression.sniff(data, hint)
            if kind is None:
                break
            out = self.decompress(kind, data)
            hint = None
            if out is None:
                break
            data = memoryview(out)
            loc = f"{loc}|{kind}"
            depth += 1
        if not data:
            return
        sep = "|" if "|" in loc else "."
        self.check_time()
        raw_type, content_type = content_type, content_type.lower()
        if "multipart/" in content_type or data[:2] == b"--":
            parts = parse_multipart(bytes(data), raw_type, self.limits.max_fields)
            if parts is not None:
                names = label_repeats([p.name for p in parts])
                for part, name in zip(parts, names):
                    sub = f"{loc}{sep}multipart.{name}"
                    try:
                        text = part.data.decode("utf-8")
                    except UnicodeDecodeError:
                        text = None
                    if text is not None and is_printable(text):
                        self.walk_text(text, sub, part.name, depth + 1)
                    else:
                        self.walk_bytes(memoryview(part.data), sub, part.name, depth + 1, strict=False)
                return
        try:
            text = str(data, "utf-8")
        except UnicodeDecodeError:
            # a body declared as text with a stray invalid byte is still text; anything else may be binary
            text = str(data, "utf-8", "replace") if _TEXTUAL_RE.search(content_type) else None
        if text and text[0] == "\ufeff":
            text = text[1:]
        if text is not None and is_printable(text):
            first = text.lstrip()[:1]
            if first in ("{", "["):
                obj, err = json_body.loads_container(text)
                if err is None:
                    self.walk_json(obj, f"{loc}{sep}json", "", depth + 1)
                    return
                if err == json_body.TOO_DEEP:
                    self.bound(MAX_DEPTH)
                    self.emit(loc, "", text[:_CUT_EXCERPT])
                    return
                items = json_body.split_items(bytes(data), self.limits.max_fields)
                if items is not None:
                    self._walk_items(items, f"{loc}{sep}ndjson", depth + 1)
                    return
            if data[0] in _FIELD1_TAGS:
                parsed = protobuf.parse_message(data, deadline=self.deadline, keep=self.limits.max_fields)
                if parsed is not None:
                    self.walk_protobuf(parsed, f"{loc}{sep}protobuf", depth + 1)
                    return
            if "&" not in text and b64.looks_base64(text.strip()) and self.try_base64(text.strip(), loc, "", depth):
                return   # a whole body in base64 ("=" padding would otherwise pass for a form)
            if looks_like_form(text, "x-www-form-urlencoded" in content_type):
                pairs = parse_form(text, self.limits.max_fields)
                for (k, v), label in zip(pairs, label_repeats([k for k, _ in pairs])):
                    self.walk_text(v, f"{loc}{sep}form.{label}", k, depth + 1)
                return
            self.walk_text(text, loc, "", depth)
            return
        if first_is_json_lines(data):
            items = json_body.split_items(bytes(data), self.limits.max_fields)
            if items is not None:
                self._walk_items(items, f"{loc}{sep}ndjson", depth + 1)
                return
        max_field = protobuf.MAX_FIELD_NUMBER if "proto" in content_type else protobuf.SNIFF_FIELD_NUMBER
        parsed = protobuf.parse_message(data, max_field=max_field, deadline=self.deadline,
                                        keep=self.limits.max_fields)
        if parsed is not None:
            self.walk_protobuf(parsed, f"{loc}{sep}protobuf", depth + 1)
            return
        if text is not None:
            self.walk_text(text, loc, "", depth)
        else:
            self.binary_leaf(data, loc, "")

    def _walk_items(self, items, loc: str, depth: int) -> None:
        for i, (value, raw) in enumerate(items):
            sub = f"{loc}[{i}]"
            if raw is None:
                self.walk_json(value, sub, "", depth)
            else:
                self.walk_bytes(memoryview(raw), sub, "", depth, strict=False)


def first_is_json_lines(data: memoryview) -> bool:
    """A Sentry envelope with a binary attachment is not UTF-8 as a whole but opens with a JSON header line."""
    return data[:1] == b"{" and b"\n" in bytes(data[:4096])


def _texty(text: str) -> bool:
    """Decoded base64 counts as text only if it reads like text: mostly letters, digits, spaces and punctuation."""
    if not text.strip():
        return False
    alnum = sum(1 for c in text[:256] if c.isalnum() or c == " ")
    return alnum * 10 >= min(len(text), 256) * 6


def _plausible_message(parsed) -> bool:
    """For a guess (bytes out of base64), a whole parse is not enough: about 1 random buffer in 200 parses.
    Ask also for 2+ fields with small numbers, and fixed-width fields only beside some readable text;
    this brings random buffers down to about 1 in 10,000."""
    entries, counts = parsed
    if len(entries) < 2 or max(counts) > 1000:
        return False
    if all(wt == 0 or wt == 2 for _, wt, _ in entries):
        return True
    for _, wt, v in entries:
        if wt == 2 and len(v) >= 2:
            try:
                if is_printable(str(v, "utf-8")):
                    return True
            except UnicodeDecodeError:
                pass
    return False
