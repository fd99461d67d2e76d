"""open_capture: pick the reader by the file's first bytes, stream Flows, count what was skipped."""

from __future__ import annotations

import bisect
import hashlib
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Flow
from .har import har_entries, iter_har
from .jsonl import iter_jsonl, looks_like_flow_line
from .pcap_file import PcapError, ReadState, check_header
from .stats import ReadStats, read_line

SNIFF_BYTES = 64 * 1024
UNKNOWN = "not a mitmproxy dump, HAR, hpa JSONL or pcap file"
PCAP_MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1", b"\x0a\x0d\x0d\x0a")
# a mitmproxy dump is a sequence of tnetstring dicts: "<length>:<key tnetstrings...>}"
_TNETSTRING = re.compile(rb"^[1-9][0-9]{0,11}:[0-9]{1,12}:[A-Za-z_]")
_HAR_START = re.compile(rb'^\s*\{\s*"log"\s*:')
_HAR_LOG = re.compile(rb'"log"\s*:\s*\{\s*"(?:version|creator|browser|pages|entries)"\s*:')
_JSONL_START = re.compile(rb'^\s*\{\s*"schema"\s*:\s*"hpa\.flow/')
CAPTURE_DIR_FILES = ("flows.jsonl", "flows.mitm")
CAPTURE_PCAP = "capture.pcap"


def sniff(path: Path) -> str:
    """The format of a file from its first bytes: mitm | har | jsonl | pcap. Raises InputError."""
    try:
        with open(path, "rb") as fp:
            head = fp.read(SNIFF_BYTES)
    except IsADirectoryError:
        raise InputError(path, "is a folder without flows.jsonl, flows.mitm or capture.pcap") from None
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    if not head:
        raise InputError(path, "empty file")
    if head[:4] in PCAP_MAGICS:
        return "pcap"
    if is_zlib(head):                   # mitmproxy's .zhar: a HAR compressed with zlib
        try:
            inner = zlib.decompressobj().decompress(head, 4096)
        except zlib.error:
            inner = b""
        if _HAR_START.match(inner) or _HAR_LOG.search(inner):
            return "har"
    if _TNETSTRING.match(head):
        return "mitm"
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if _HAR_START.match(text):
        return "har"
    if text.lstrip().startswith(b"{"):
        lines = text.split(b"\n")
        if len(head) == SNIFF_BYTES:
            lines = lines[:-1]          # the last line may be cut by the sniff window
        for line in lines[:50]:
            if line.strip() and looks_like_flow_line(line):
                return "jsonl"
        if not lines and _JSONL_START.match(text):
            return "jsonl"              # a first record longer than the sniff window (a big body)
        if _HAR_LOG.search(text) or re.search(rb'"log"\s*:\s*\{', text) and re.search(rb'"entries"\s*:', text):
            return "har"               # "log" not the first key, e.g. after a BOM or comment field
    raise InputError(path, UNKNOWN)


class CaptureSource:
    """A readable capture: iterate for Flows (streaming); `stats` fills as it goes."""

    def __init__(self, path: str | Path, keylog: str | Path | None = None):
        self.path = Path(path)
        if keylog:
            from .keylog import check_keylog
        self.keylog = check_keylog(keylog) if keylog else None
        self.stats = ReadStats()
        self.parts: list[tuple[Path, str]] = []
        if self.path.is_dir():
            self.format = "capture_dir"
            # flows.jsonl first; flows.mitm when the JSONL is missing, empty or unreadable
            first_error: InputError | None = None
            for name in CAPTURE_DIR_FILES:
                f = self.path / name
                if f.is_file() and f.stat().st_size > 0:
                    try:
                        self.parts.append((f, sniff(f)))
                        break
                    except InputError as e:
                        first_error = first_error or e
            else:
                if first_error is not None:
                    raise first_error
            pcap = self.path / CAPTURE_PCAP
            if pcap.is_file() and pcap.stat().st_size > 0:
                self.parts.append((pcap, sniff(pcap)))
            if not self.parts:
                self.format = "folder"
                self.parts = _folder_parts(self.path)
            if not self.parts:
                raise InputError(self.path, "is a folder without flows.jsonl, flows.mitm, capture.pcap or "
                                            "*.har / *.mitm / *.pcap / *.pcapng / *.jsonl captures")
        elif not self.path.exists():
            raise InputError(self.path, "no such file")
        else:
            self.format = sniff(self.path)
            self.parts.append((self.path, self.format))
        for p, fmt in self.parts:
            if fmt == "pcap":
                _check_pcap(p)

    def __repr__(self) -> str:
        return f"CaptureSource({str(self.path)!r}, format={self.format!r})"

    def __iter__(self) -> Iterator[Flow]:
        self.stats = ReadStats()        # counts describe the latest pass
        seen_hosts: set[str] = set()
        seen_ips: set[str] = set()
        merging = self.format in ("capture_dir", "folder")
        same = SameRequests()
        for p, fmt in self.parts:
            part = ReadStats()
            for flow in self._read(p, fmt, part):
                if self.format == "folder" and flow.kind in ("http", "websocket") and flow.time is not None:
                    if same.repeat(flow):       # the same request from another file (a HAR and its dump)
                        part.skip("duplicate_flow")
                        continue
                if merging:
                    if flow.origin == "pcap":
                        # the proxy already saw this connection: the pcap adds nothing about it
                        if flow.host in seen_hosts or (flow.tls and not flow.tls.sni and flow.server_ip in seen_ips):
                            continue
                    else:
                        seen_hosts.add(flow.host)
                        if flow.tls and flow.tls.sni:
                            seen_hosts.add(flow.tls.sni)
                        if flow.server_ip:
                            seen_ips.add(flow.server_ip)
                if flow.source is None:
                    flow.source = str(p)
                self.stats.flows += 1
                yield flow
            self._account(p, fmt, part, merging)
            same.next_file()
        self._check_readable()

    def size(self) -> int:
        """Bytes of the files read."""
        return sum(p.stat().st_size for p, _ in self.parts)

    def jsonl_file(self) -> Path | None:
        """The one hpa JSONL file this capture is (a .jsonl, or a capture folder holding only flows.jsonl): workers
        can read it in byte ranges (`jsonl.jsonl_ranges`)."""
        if len(self.parts) == 1 and self.parts[0][1] == "jsonl" and self.format in ("jsonl", "capture_dir"):
            return self.parts[0][0]
        return None

    def entry_batches(self, size: int) -> Iterator[tuple[str, list[tuple[int, object, str]]]] | None:
        """A plain HAR file's entries as (flow id prefix, batch of `har_entries(text=True)` items), for worker
        processes that turn them into flows (`har.entries_to_flows`); None for any other kind of capture. Only the
        entries' JSON is parsed here; the stream's own skips are counted here, the rest with `account_part`."""
        if self.format != "har":
            return None
        with open(self.path, "rb") as fp:
            if is_zlib(fp.peek(2)[:2]):
                return None
        self.begin_split()
        return self._entry_batches(size)

    def _entry_batches(self, size: int) -> Iterator[tuple[str, list[tuple[int, object, str]]]]:
        path = self.path
        try:
            with open(path, "rb") as fp:
                batch: list[tuple[int, object, str]] = []
                for item in har_entries(fp, self._split, path.stat().st_size, text=True):
                    batch.append(item)
                    if len(batch) >= size:
                        yield path.name, batch
                        batch = []
                if batch:
                    yield path.name, batch
        except OSError as e:
            raise InputError(path, f"unreadable har file ({e})") from None

    # -- a file read by worker processes: its counts come back in parts ---------------------------------------------
    def begin_split(self) -> None:
        self.stats = ReadStats()
        self._split = ReadStats()

    def account_part(self, part: ReadStats) -> None:
        self.stats.flows += part.flows
        self._split.flows += part.flows
        self._split.records += part.records
        for reason, n in part.skipped.items():
            self._split.skip(reason, n)

    def finish_split(self, path: Path, fmt: str) -> None:
        """After the last part: the file's counts and its warning line, as a pass through `iter` gives them."""
        self._account(path, fmt, self._split, self.format in ("capture_dir", "folder"))
        self._check_readable()

    def _check_readable(self) -> None:
        """After a pass: a capture of which nothing at all could be read is an error, not an empty report."""
        if self.stats.flows == 0 and self.stats.records == 0 and self.stats.skipped:
            raise InputError(self.path, "nothing readable: " + (read_line(self.format, 0, self.stats.skipped) or ""))

    def read_line(self) -> str | None:
        """"read N of M entries (reasons)" after a pass, None when nothing was lost."""
        return read_line(self.format, self.stats.records, self.stats.skipped)

    def _account(self, path: Path, fmt: str, part: ReadStats, merging: bool) -> None:
        """Add a part's counts; one warning line on stderr when records were skipped or the file was cut."""
        if fmt == "jsonl":
            part.records = part.flows
        self.stats.records += part.records
        for reason, n in part.skipped.items():
            self.stats.skip(reason, n)
        line = read_line(fmt, part.records, part.skipped)
        if line and (part.records or part.flows or merging):     # else the whole file is an InputError
            print(f"hpa: warning: {path}: {line}", file=sys.stderr)

    def read_back(self, ids: Iterable[str]) -> Iterator[Flow]:
        """The flows with these ids, from every file of the capture, once each (for showing the requests a report
        cites): the others are passed over as early as their format allows (an hpa JSONL line unparsed, a HAR entry
        not turned into a flow); stops when all were found."""
        left = set(ids)
        only = frozenset(left)
        for p, fmt in self.parts:
            for flow in self._read(p, fmt, ReadStats(), only):
                if flow.id in left:
                    left.discard(flow.id)
                    if flow.source is None:
                        flow.source = str(p)
                    yield flow
                    if not left:
                        return

    def _read(self, path: Path, fmt: str, part: ReadStats, only: frozenset[str] | None = None) -> Iterator[Flow]:
        prefix = path.name if self.format != "capture_dir" else f"{path.parent.name}/{path.name}"
        try:
            if fmt == "pcap":
                # readers load on first use: mitmproxy and the QUIC crypto cost more to import than a
                # small capture takes to read
                from .keylog import decrypted_flows
                from .pcap import iter_pcap

                state = ReadState()
                for flow in iter_pcap(path, part, prefix, state):
                    part.flows += 1
                    yield flow
                if self.keylog is not None or state.secrets:    # keys given, or written into the pcapng
                    for flow in decrypted_flows(path, self.keylog, part, prefix):
                        part.flows += 1
                        yield flow
                return
            size = path.stat().st_size
            with open(path, "rb") as fp:
                if fmt == "mitm":
                    from .mitm import CappedReader, iter_mitm

                    flows = iter_mitm(CappedReader(fp, size), part)   # type: ignore[arg-type]
                elif fmt == "har" and is_zlib(fp.peek(2)[:2]):
                    flows = iter_har(ZlibReader(fp, part), part, prefix, only=only)
                elif fmt == "har":
                    flows = iter_har(fp, part, prefix, size=size, only=only)
                else:
                    flows = iter_jsonl(fp, part.skipped, only)
                for flow in flows:
                    part.flows += 1
                    yield flow
        except OSError as e:
            raise InputError(path, f"unreadable {fmt} file ({e})") from None


FOLDER_ORDER = {"mitm": 0, "jsonl": 1, "har": 2, "pcap": 3}     # the most faithful copy of a request is kept
FOLDER_SUFFIXES = (".mitm", ".flows", ".dump", ".har", ".jsonl", ".pcap", ".pcapng", ".cap")


def _folder_parts(folder: Path) -> list[tuple[Path, str]]:
    """The captures of a folder made elsewhere, by format (dumps first), then name."""
    parts = []
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.suffix.lower() in FOLDER_SUFFIXES and f.stat().st_size > 0:
            parts.append((f, sniff(f)))
    return sorted(parts, key=lambda pf: (FOLDER_ORDER.get(pf[1], 9), pf[0].name))


class SameRequests:
    """The requests of a folder's files, to recognise the same request again in another file: same method, URL and
    body, sent within a millisecond. HAR keeps the time to the millisecond or the microsecond and a dump to the
    sub-microsecond, so equal rounded times would miss the requests that fall beside a rounding edge. Each copy is
    matched once: a request the app sent twice stays twice."""

    TOLERANCE = 0.001 + 1e-6

    def __init__(self) -> None:
        self._earlier: dict[int, list[float]] = {}      # the files already read: times per request, sorted
        self._this: list[tuple[int, float]] = []        # the file being read: matched only by the next files

    @staticmethod
    def key(flow: Flow) -> int:
        return hash((flow.kind, flow.method, flow.host, flow.path, flow.query,
                     hashlib.blake2b(flow.request_body, digest_size=16).digest()))

    def repeat(self, flow: Flow) -> bool:
        """True, and the match is used up, when an earlier file had this request; else it is kept for the next files
        (times kept sorted: a heartbeat sent thousands of times is found by bisection)."""
        k, t = self.key(flow), flow.time or 0.0
        times = self._earlier.get(k)
        if times:
            i = bisect.bisect_left(times, t)
            best = min((j for j in (i - 1, i) if 0 <= j < len(times)), key=lambda j: abs(times[j] - t))
            if abs(times[best] - t) <= self.TOLERANCE:
                del times[best]
                return True
        self._this.append((k, t))
        return False

    def next_file(self) -> None:
        """The file being read is done: its requests can match those of the files after it."""
        touched = set()
        for k, t in self._this:
            self._earlier.setdefault(k, []).append(t)
            touched.add(k)
        for k in touched:
            self._earlier[k].sort()
        self._this.clear()


def is_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x78 and (head[0] << 8 | head[1]) % 31 == 0


class ZlibReader:
    """read(n) of a zlib stream's decompressed bytes (a .zhar), a chunk at a time; a damaged stream ends it."""

    def __init__(self, fp, stats: ReadStats):
        self._fp, self._d, self._stats, self._done = fp, zlib.decompressobj(), stats, False

    def read(self, n: int = -1) -> bytes:
        n = n if n and n > 0 else 1 << 20
        out = b""
        while not out and not self._done:
            tail = self._d.unconsumed_tail
            data = tail or self._fp.read(1 << 16)
            try:
                out = self._d.decompress(data, n) if data else self._d.flush()
            except zlib.error:
                self._stats.skip("har_truncated_or_corrupt")
                self._done = True
                return b""
            if not data or self._d.eof:
                self._done = self._d.eof or not data
        return out


def _check_pcap(path: Path) -> None:
    try:
        with open(path, "rb") as fp:
            check_header(fp)
    except (PcapError, OSError) as e:
        raise InputError(path, f"damaged pcap header ({e})") from None


def open_capture(path: str | Path, keylog: str | Path | None = None) -> CaptureSource:
    """Open a capture file or folder; the format is chosen by content. Raises InputError when the
    file is missing, unreadable, empty or of no known format."""
    return CaptureSource(path, keylog=keylog)


