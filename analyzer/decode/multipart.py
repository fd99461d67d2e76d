"""multipart/form-data bodies (Meta app events).

Written here rather than borrowed: mitmproxy's `decode_multipart` drops line breaks inside parts and ignores the
part's own Content-Type, which would corrupt binary or multi-line parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY_RE = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', re.I)
_NAME_RE = re.compile(rb'\bname\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.I)
_FILENAME_RE = re.compile(rb'\bfilename\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.I)


@dataclass(slots=True)
class Part:
    name: str
    data: bytes
    content_type: str = ""
    filename: str | None = None


def boundary_of(content_type: str, body: bytes) -> bytes | None:
    """From the Content-Type, else from a body that opens with `--boundary` + line break."""
    m = _BOUNDARY_RE.search(content_type or "")
    if m:
        return (m.group(1) or m.group(2)).encode("latin-1", "replace")
    if body.startswith(b"--"):
        end = body.find(b"\n", 2, 200)
        if end > 2:
            b = body[2:end].rstrip(b"\r")
            if b and b" " not in b:
                return b
    return None


def parse_multipart(body: bytes, content_type: str, max_parts: int) -> list[Part] | None:
    """The parts, or None when the body is not multipart. Parts are sliced, not copied line by line."""
    boundary = boundary_of(content_type, body)
    if not boundary:
        return None
    delim = b"--" + boundary
    chunks = body.split(delim)
    if len(chunks) < 3 and not (len(chunks) == 2 and chunks[1].strip() not in (b"", b"--")):
        return None
    parts: list[Part] = []
    for chunk in chunks[1:]:
        if chunk[:2] == b"--":
            break   # closing delimiter
        head_end = chunk.find(b"\r\n\r\n")
        sep = 4
        if head_end < 0:
            head_end, sep = chunk.find(b"\n\n"), 2
            if head_end < 0:
                continue
        end = len(chunk)
        if chunk.endswith(b"\r\n"):
            end -= 2
        elif chunk.endswith(b"\n"):
            end -= 1
        head, data = chunk[:head_end], chunk[head_end + sep:max(end, head_end + sep)]
        name = filename = None
        i = head.find(b'; name="')    # the common spelling first: a find is 10x cheaper than the regex
        if i >= 0:
            j = head.find(b'"', i + 8)
            if j >= 0:
                name = head[i + 8:j].decode("utf-8", "replace")
        if name is None:
            m = _NAME_RE.search(head)
            if m:
                name = (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")
        if b"filename" in head:
            f = _FILENAME_RE.search(head)
            if f:
                filename = (f.group(1) if f.group(1) is not None else f.group(2)).decode("utf-8", "replace")
        ctype = ""
        if b"ype:" in head or b"YPE:" in head:
            low = head.lower()
            i = low.find(b"content-type:")
            if i >= 0:
                end = low.find(b"\n", i)
                ctype = low[i + 13:end if end >= 0 else len(low)].strip().decode("latin-1")
        parts.append(Part(name if name is not None else str(len(parts)), data, ctype, filename))
        if len(parts) >= max_parts:
            break
    return parts
