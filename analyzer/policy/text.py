"""Policy text: read a file or URL, extract readable text (boilerplate stripped), detect the language,
and cut it into blocks (headings, paragraphs, list items) and sentences with character spans."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError
from .lexicon import LANGUAGES, lexicon

MAX_FETCH_BYTES = 20_000_000
KEEP_RATIO = 0.8   # main-content extraction may leave out 20 % of the page's words in sentences, else all blocks are kept
USER_AGENT = "hpa-policy-reader (+https://github.com/hpa)"


# ---------------------------------------------------------------- reading

FETCH_DEADLINE = 60.0   # seconds for the whole download: a server dripping a byte every few seconds is cut off
_CHUNK = 65536


def fetch_url(url: str, timeout: float = 30.0, deadline: float | None = None) -> tuple[bytes, str]:
    """Fetch a policy URL (only ever called when the user gave one). Returns (body, content type).
    `timeout` bounds each network wait, `deadline` (FETCH_DEADLINE when None) the whole exchange, headers included:
    the download runs in a worker thread so a server dripping its headers or body cannot hold the CLI."""
    total = FETCH_DEADLINE if deadline is None else deadline
    end = time.monotonic() + total
    out: dict[str, object] = {}

    def work() -> None:
        try:
            out["body"] = _download(url, min(timeout, total), end)
        except BaseException as e:   # handed to the caller's thread
            out["error"] = e

    t = threading.Thread(target=work, name="hpa-policy-fetch", daemon=True)
    t.start()
    t.join(total)
    if t.is_alive() or isinstance(out.get("error"), _Late):
        raise InputError(url, f"could not fetch the policy: no complete answer within {total:g} s")
    if "error" in out:
        raise out["error"]   # type: ignore[misc]
    return out["body"]   # type: ignore[return-value]


class _Late(Exception):
    """The deadline passed between two chunks."""


def _download(url: str, timeout: float, end: float) -> tuple[bytes, str]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf,text/plain;q=0.9,*/*;q=0.5"})
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            ctype = r.headers.get("Content-Type", "")
            while size <= MAX_FETCH_BYTES:
                if time.monotonic() > end:
                    raise _Late()
                chunk = r.read1(_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as e:
        raise InputError(url, f"could not fetch the policy: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise InputError(url, f"could not fetch the policy: {reason}") from None
    body = b"".join(chunks)
    if len(body) > MAX_FETCH_BYTES:
        raise InputError(url, f"policy larger than {MAX_FETCH_BYTES} bytes")
    return body, ctype


def sniff_format(data: bytes, name: str = "", ctype: str = "") -> str:
    """pdf | html | markdown | text, from the content first, then the content type or file name."""
    head = data[:2048].lstrip().lower()
    if data[:5] == b"%PDF-" or "pdf" in ctype:
        return "pdf"
    # a file named .html that holds no tag is plain text ("policy.html" saved as text)
    tagged = re.search(rb"<(?:[a-zA-Z][\w-]*[\s>/]|!--|!doctype)", data[:65536], re.I) is not None
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or b"<p>" in head or "html" in ctype \
            or (name.lower().endswith((".html", ".htm", ".xhtml")) and tagged):
        return "html"
    if name.lower().endswith((".md", ".markdown")) or "markdown" in ctype or re.search(rb"(?m)^#{1,6} \S", data[:20000]):
        return "markdown"
    return "text"


def decode_text(data: bytes, source: str) -> str:
    # cp1252 decodes almost any bytes: a NUL or many control bytes say it is an image or an archive, not text
    sample = data[:65536]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100:
        raise InputError(source, "policy is a binary file, not text, HTML or PDF")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(source, "policy is not text (neither UTF-8 nor Windows-1252)")


_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "section", "article",
               "header", "blockquote", "dd", "dt", "pre", "table", "ul", "ol", "main", "body"}
_SKIP_TAGS = {"script", "style", "noscript", "svg", "template", "nav", "footer", "form", "button", "select", "head"}


class HtmlLines(HTMLParser):
    """Visible text of an HTML page, one line per block element; headings as Markdown '#', list items as '- '.
    `inline_spans`: spans end a line too (the Play Store puts each label in its own span)."""

    def __init__(self, inline_spans: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._cur: list[str] = []
        self._prefix = ""
        self._skip = 0
        self._blocks = _BLOCK_TAGS | ({"span"} if inline_spans else set())

    def _flush(self) -> None:
        text = " ".join("".join(self._cur).split())
        if text:
            self.lines.append(self._prefix + text)
        self._cur, self._prefix = [], ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in self._blocks:
            self._flush()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self._prefix = "#" * int(tag[1]) + " "
            elif tag == "li":
                self._prefix = "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in self._blocks:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._cur.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_lines(html: str, inline_spans: bool = False) -> list[str]:
    p = HtmlLines(inline_spans)
    p.feed(html)
    p.close()
    return p.lines


def html_to_text(html: str, source: str) -> str:
    """Main content as Markdown (headings and lists kept), navigation, cookie banners and footers removed.
    trafilatura finds the main content; when it keeps much less than the page's visible text (it drops whole
    numbered sections of some policies), every block of the page is kept instead: a policy's text matters whole."""
    import trafilatura

    out = trafilatura.extract(html, output_format="markdown", include_formatting=True, include_links=False,
                              include_tables=True, include_comments=False, favor_recall=True, deduplicate=False) or ""
    # trafilatura marks emphasis with ** and _; they are noise for claims and for the spans we report
    out = re.sub(r"\*\*|__", "", out)
    lines = html_lines(html)
    visible = sum(len(x.split()) for x in lines)
    # sentences (lines of 8 words or more: not menus, buttons) of the page that the extraction left out
    flat = " ".join(out.split())
    lost = sum(len(x.split()) for x in lines if len(x.split()) >= 8 and " ".join(x.lstrip("#- ").split()[:8]) not in flat)
    if lost > (1 - KEEP_RATIO) * visible:
        out = "\n\n".join(lines)
    if not out.strip():
        raise InputError(source, "no readable text found in the HTML policy")
    return out


def pdf_to_text(data: bytes, source: str) -> str:
    from pypdf import PdfReader

    # pypdf logs its repairs ("EOF marker not found") through logging's last-resort handler: the CLI's promise is
    # one line on stderr for a bad file, so they are kept off it.
    log = logging.getLogger("pypdf")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [p.extract_text() or "" for p in reader.pages]
    except RecursionError:
        raise InputError(source, "unreadable PDF: objects nested too deep") from None
    except Exception as e:      # a hostile PDF reaches pypdf's every corner: any failure is a bad input, not a crash
        raise InputError(source, f"unreadable PDF: {type(e).__name__}: {str(e)[:200]}") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise InputError(source, "the PDF has no extractable text (scanned image?)")
    # PDF line ends are layout, not structure: re-join hyphenated words
    return re.sub(r"(\w)-\n(\w)", r"\1\2", text)


def extract(data: bytes, source: str, name: str = "", ctype: str = "") -> tuple[str, str]:
    """(extracted text, format of the input)."""
    fmt = sniff_format(data, name, ctype)
    if fmt == "pdf":
        return pdf_to_text(data, source), fmt
    text = decode_text(data, source)
    if fmt == "html":
        return html_to_text(text, source), fmt
    return text.replace("\r\n", "\n").replace("\r", "\n"), fmt


def load_source(source: str | Path) -> tuple[str, str]:
    """Read a policy from a path or an http(s) URL: (extracted text, input format)."""
    s = str(source)
    if re.match(r"(?i)^https?://", s):
        data, ctype = fetch_url(s)
        return extract(data, s, name=s.split("?")[0], ctype=ctype)
    p = Path(s)
    if not p.exists():
        raise InputError(s, "no such file")
    if p.is_dir():
        raise InputError(s, "is a folder, not a policy file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(s, f"cannot read: {e.strerror}") from None
    if not data.strip():
        raise InputError(s, "the policy file is empty")
    return extract(data, s, name=p.name)


# ---------------------------------------------------------------- language

_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœ']+")


def detect_language(text: str) -> str:
    """'en' or 'fr' by counting each language's stop words (enough for whole policies)."""
    counts = dict.fromkeys(LANGUAGES, 0)
    sample = text[:200_000].lower()
    for w in _WORD.findall(sample):
        for lang in LANGUAGES:
            if w in lexicon(lang).stopwords:
                counts[lang] += 1
    return max(LANGUAGES, key=lambda lang: counts[lang])


# ---------------------------------------------------------------- structure

@dataclass
class Block:
    kind: str                    # heading | paragraph | item
    start: int
    end: int
    text: str                    # the raw slice text[start:end]
    level: int = 0               # heading level (1 = top)
    intro: bool = False          # a paragraph ending with ':' that introduces the following list


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    block: int                   # index of its Block
    extra: dict = field(default_factory=dict)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•·–—▪◦]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_NUMBERED_HEADING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|article \d+\s*[-–:.]?)\s+\S", re.I)
# a numbered Title-Case heading glued to the sentence after it (plain-text policies lose the line break)
_GLUED_HEADING = re.compile(
    r"^(\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|[IVX]{1,5}\.)\s+"
    r"(?:[A-Z][\w'’&/-]*[\s,]+|(?:of|and|or|the|to|we|our|your|with|for|how|de|des|du|et|la|le|les|vos|nos|à)\s+){1,10}?"
    r"[A-Z][\w'’&/-]*\??)\s+"
    r"(?=(?:We|Our|You|Your|The|This|These|In|If|When|Nous|Vous|Vos|Nos|Les|La|Le|Si|Lorsque)\s+[a-zà-ÿ])")
_SETEXT = re.compile(r"^\s*(?:=+|-+)\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def _looks_like_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 90 or s[-1:] in ".;,!?:":
        return False
    words = s.split()
    return len(words) <= 10 and (s[0].isupper() or s[0].isdigit())


def _reads_as_sentence(heading: str) -> bool:
    """A heading that is a whole sentence: long, or several words ending with a full stop."""
    words = heading.split()
    return len(heading) > 120 or len(words) > 16 or (len(words) >= 7 and heading.rstrip().endswith("."))


def segment(text: str) -> list[Block]:
    """Blocks with spans into `text`. Markdown headings (#, setext), list items, and plain-text headings (a short
    line standing alone, without final punctuation) are recognized; other lines join into paragraphs."""
    blocks: list[Block] = []
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if not para:
            return
        start = para[0][0] + (len(para[0][1]) - len(para[0][1].lstrip()))
        end = para[-1][0] + len(para[-1][1].rstrip())
        raw = text[start:end]
        if len(para) == 1 and _looks_like_heading(raw) and not _ITEM.match(para[0][1]):
            blocks.append(Block("heading", start, end, raw, level=3))
        else:
            kind = "item" if _ITEM.match(para[0][1]) else "paragraph"
            blocks.append(Block(kind, start, end, raw, intro=raw.rstrip().endswith(":")))
        para.clear()

    for i, (off, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped or _TABLE_RULE.match(stripped) and "|" in stripped:
            flush()
            continue
        m = _MD_HEADING.match(stripped)
        if m and _reads_as_sentence(m.group(2)):
            # "## When you use our services we may collect ...": a paragraph marked up as a heading is a paragraph
            flush()
            s = off + line.index(m.group(2))
            para.append((s, m.group(2)))
            flush()
            continue
        if m:
            flush()
            s = off + line.index(m.group(2)) if m.group(2) else off
            blocks.append(Block("heading", s, s + len(m.group(2)), m.group(2), level=len(m.group(1))))
            continue
        if _SETEXT.match(stripped) and para and len(para) == 1 and not _ITEM.match(para[0][1]):
            first = para[0]
            s = first[0] + (len(first[1]) - len(first[1].lstrip()))
            e = first[0] + len(first[1].rstrip())
            blocks.append(Block("heading", s, e, text[s:e], level=1 if stripped[0] == "=" else 2))
            para.clear()
            continue
        g = _GLUED_HEADING.match(line)
        if g:   # "3. Sharing Your Information We share ...": the heading, then its first sentence
            flush()
            hs = off + len(g.group(1)) - len(g.group(1).lstrip())
            blocks.append(Block("heading", hs, off + g.end(1), text[hs:off + g.end(1)], level=2))
            para.append((off + g.end(), line[g.end():]))
            continue
        if _ITEM.match(line):
            flush()  # each list item is its own block; continuation lines (indented) join it
            para.append((off, line))
            continue
        if para and _ITEM.match(para[0][1]) and not line.startswith((" ", "\t")):
            flush()
        if para and _NUMBERED_HEADING.match(line) and _looks_like_heading(line) and not _ITEM.match(para[0][1]):
            flush()
        para.append((off, line))
    flush()
    # A short numbered line ("3. Sharing your data") followed by a paragraph is a heading, not a one-item list.
    for i, b in enumerate(blocks):
        if b.kind == "item" and _NUMBERED_HEADING.match(b.text) and _looks_like_heading(b.text):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            prev = blocks[i - 1] if i else None
            if nxt is not None and nxt.kind == "paragraph" and not (prev and prev.intro):
                b.kind, b.level = "heading", 2
    return blocks


_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|inc|ltd|llc|co|corp|vs|no|mr|mrs|ms|dr|st|p\.ex|cf|art|ex|n°|sas|sarl)|\b[A-Za-z])\.$", re.I)
_SENT_END = re.compile(r"[.!?](?:[\"'»”)\]]*)(?=\s+|$)")


def sentences(text: str, blocks: list[Block]) -> list[Sentence]:
    """Sentences of every non-heading block, with spans into `text` (abbreviations such as e.g., Inc. kept)."""
    out: list[Sentence] = []
    for bi, b in enumerate(blocks):
        if b.kind == "heading":
            continue
        body_start = b.start
        if b.kind == "item":
            m = _ITEM.match(b.text)
            body_start += m.end() if m else 0
        seg = text[body_start:b.end]
        cur = 0
        for m in _SENT_END.finditer(seg):
            end = m.end()
            piece = seg[cur:end]
            if _ABBREV.search(seg[max(cur, m.start() - 12):m.start() + 1]):
                continue
            if piece.strip():
                out.append(_mk(text, body_start + cur, body_start + end, bi))
            cur = end
        if seg[cur:].strip():
            out.append(_mk(text, body_start + cur, b.end, bi))
    return out


def _mk(text: str, s: int, e: int, bi: int) -> Sentence:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Sentence(s, e, text[s:e], bi)
