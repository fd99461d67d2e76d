"""The analysis pipeline: capture files in, one hpa.report/1 out.

Flows are streamed: each is decoded, detected and folded into an `Accumulator` that keeps only
aggregates (contacts, data flows with a bounded sample of evidence), so memory stays flat on a
multi-GB dump. Accumulators merge, so chunks of a capture can be analyzed on several cores.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .decode import DEFAULT_LIMITS, Limits, decode_flow
from .detect import Detector
from .detect.persona import Persona, load_persona
from .errors import InputError
from .model import (
    Contact,
    Coverage,
    DataFlow,
    Detection,
    Evidence,
    Flow,
    InputStats,
    Recipient,
    Report,
)
from .recipients import Recipients

MAX_EVIDENCE = 25          # evidence items kept per data flow (all are counted)
EXCERPT_CHARS = 120


@dataclass
class AnalyzeOptions:
    app_id: str | None = None
    app_name: str | None = None
    policy: str | None = None                # policy file or URL (hpa.policy/1 is computed from it)
    data_safety: str | None = None           # Data-safety form JSON
    known_values: str | None = None          # hpa.persona/1 JSON
    apk: str | None = None                   # APK whose static facts feed first-party inference
    first_party_domains: list[str] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS
    jobs: int = 1                            # processes for analysis (1: in this process)
    keylog: str | None = None                # SSLKEYLOGFILE for TLS inside pcaps


def _excerpt(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


class Accumulator:
    """Folds flows into contacts, data flows and coverage. Picklable and mergeable."""

    def __init__(self, recipients: Recipients, detector: Detector, limits: Limits = DEFAULT_LIMITS):
        self.recipients = recipients
        self.detector = detector
        self.limits = limits
        self.contacts: dict[str, Contact] = {}
        self.data_flows: dict[tuple[str, str], DataFlow] = {}
        self.evidence_counts: Counter[tuple[str, str]] = Counter()
        self.coverage = Coverage()
        self.bounds_hit: Counter[str] = Counter()
        self.failed_hosts: set[str] = set()
        self.pcap_hosts: set[str] = set()

    # -- one flow -----------------------------------------------------------------------------
    def add(self, flow: Flow) -> None:
        cov = self.coverage
        cov.flows += 1
        if flow.time is not None:
            cov.first_time = flow.time if cov.first_time is None else min(cov.first_time, flow.time)
            cov.last_time = flow.time if cov.last_time is None else max(cov.last_time, flow.time)
        if flow.phase:
            cov.phases[flow.phase] = cov.phases.get(flow.phase, 0) + 1
        contact = self._contact(flow)
        if flow.origin == "pcap" and flow.kind != "http":    # cleartext HTTP in a pcap is analysed like proxied
            cov.pcap_only += 1
            self.pcap_hosts.add(flow.host)
            return
        if flow.tls is not None and not flow.tls.intercepted:
            cov.failed_tls += 1
            self.failed_hosts.add(flow.host)
            return
        if flow.kind not in ("http", "websocket"):
            return
        cov.http_flows += 1
        if flow.scheme == "https":
            cov.intercepted_tls += 1
        elif flow.scheme == "http":
            cov.cleartext_http += 1
            contact.cleartext = True
        decoded = decode_flow(flow, self.limits)
        for b in decoded.bounds_hit:
            self.bounds_hit[b] += 1
        for det in self.detector.detect(flow, decoded.fields):
            self._fold(flow, contact, det)

    def _contact(self, flow: Flow) -> Contact:
        c = self.contacts.get(flow.host)
        if c is None:
            c = self.recipients.contact(flow.host)
            self.contacts[flow.host] = c
        c.flows += 1
        if flow.phase and flow.phase not in c.phases:
            c.phases.append(flow.phase)
        return c

    def _fold(self, flow: Flow, contact: Contact, det: Detection) -> None:
        rkey = contact.entity or contact.domain
        key = (det.data_type, rkey)
        df = self.data_flows.get(key)
        if df is None:
            df = DataFlow(
                data_type=det.data_type,
                recipient=Recipient(entity=contact.entity, domain=contact.domain, party=contact.party,
                                    categories=list(contact.categories)),
            )
            self.data_flows[key] = df
        if det.details and det.details not in df.details:
            df.details.append(det.details)
        if det.method not in df.methods:
            df.methods.append(det.method)
        df.confidence = max(df.confidence, det.confidence)
        if flow.phase and flow.phase not in df.phases:
            df.phases.append(flow.phase)
        if flow.scheme == "http":
            df.cleartext = True
        self.evidence_counts[key] += 1
        if len(df.evidence) < MAX_EVIDENCE:
            df.evidence.append(Evidence(
                flow_id=det.flow_id or flow.id, location=det.location, excerpt=_excerpt(det.excerpt),
                method=det.method, url=_excerpt(flow.url), phase=flow.phase, time=flow.time,
            ))

    # -- merging chunks -----------------------------------------------------------------------
    def merge(self, other: "Accumulator") -> None:
        for host, c in other.contacts.items():
            mine = self.contacts.get(host)
            if mine is None:
                self.contacts[host] = c
            else:
                mine.flows += c.flows
                mine.cleartext |= c.cleartext
                mine.phases += [p for p in c.phases if p not in mine.phases]
        for key, df in other.data_flows.items():
            mine = self.data_flows.get(key)
            if mine is None:
                self.data_flows[key] = df
            else:
                mine.details += [d for d in df.details if d not in mine.details]
                mine.methods += [m for m in df.methods if m not in mine.methods]
                mine.phases += [p for p in df.phases if p not in mine.phases]
                mine.confidence = max(mine.confidence, df.confidence)
                mine.cleartext |= df.cleartext
                mine.evidence += df.evidence[: max(0, MAX_EVIDENCE - len(mine.evidence))]
        self.evidence_counts.update(other.evidence_counts)
        a, b = self.coverage, other.coverage
        for name in ("flows", "http_flows", "intercepted_tls", "failed_tls", "pcap_only", "cleartext_http"):
            setattr(a, name, getattr(a, name) + getattr(b, name))
        for k, v in b.phases.items():
            a.phases[k] = a.phases.get(k, 0) + v
        for t in (b.first_time,):
            if t is not None:
                a.first_time = t if a.first_time is None else min(a.first_time, t)
        if b.last_time is not None:
            a.last_time = b.last_time if a.last_time is None else max(a.last_time, b.last_time)
        self.bounds_hit.update(other.bounds_hit)
        self.failed_hosts |= other.failed_hosts
        self.pcap_hosts |= other.pcap_hosts

    def finish_coverage(self) -> Coverage:
        cov = self.coverage
        cov.failed_tls_hosts = sorted(self.failed_hosts)
        cov.pcap_only_hosts = sorted(self.pcap_hosts)
        if cov.first_time is not None and cov.last_time is not None:
            cov.duration_s = round(cov.last_time - cov.first_time, 3)
        return cov


# -- several cores: chunks of flows go to worker processes, each folds them into its own Accumulator ------------
CHUNK = 2000
_worker_acc: Accumulator | None = None


def _worker_init(recipients: Recipients, detector: Detector, limits: Limits) -> None:
    global _worker_acc
    _worker_acc = Accumulator(recipients, detector, limits)


def _worker_fold(flows: list[Flow]) -> Accumulator:
    assert _worker_acc is not None
    part = Accumulator(_worker_acc.recipients, _worker_acc.detector, _worker_acc.limits)
    for flow in flows:
        part.add(flow)
    return part


def _chunks(flows: Iterable[Flow], size: int) -> Iterable[list[Flow]]:
    chunk: list[Flow] = []
    for f in flows:
        chunk.append(f)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fold_parallel(flows: Iterable[Flow], acc: Accumulator, jobs: int) -> None:
    """Reading stays in this process (it streams); decoding and detection, the costly part, run on `jobs` cores.
    At most 2 chunks per worker are in flight, so memory stays flat whatever the capture's size."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_worker_init,
                             initargs=(acc.recipients, acc.detector, acc.limits)) as pool:
        pending: set = set()
        for chunk in _chunks(flows, CHUNK):
            pending.add(pool.submit(_worker_fold, chunk))
            if len(pending) >= 2 * jobs:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    acc.merge(f.result())
        for f in pending:
            acc.merge(f.result())


class _RangeReader:
    """A binary file seen only from `start` to `end`, both on line starts (readline is all iter_jsonl uses)."""

    def __init__(self, fp, end: int):
        self.fp, self.end = fp, end

    def readline(self, limit: int = -1) -> bytes:
        left = self.end - self.fp.tell()
        if left <= 0:
            return b""
        return self.fp.readline(left if limit < 0 else min(limit, left))


def _jsonl_ranges(path: Path, n: int) -> list[tuple[int, int]]:
    size = path.stat().st_size
    cuts = [0]
    with open(path, "rb") as fp:
        for i in range(1, n):
            fp.seek(size * i // n)
            fp.readline()                       # move to the start of the next line
            if cuts[-1] < fp.tell() < size:
                cuts.append(fp.tell())
    cuts.append(size)
    return list(zip(cuts, cuts[1:]))


def _worker_fold_range(path: str, start: int, end: int) -> tuple[Accumulator, int, dict[str, int]]:
    from .traffic.jsonl import iter_jsonl

    assert _worker_acc is not None
    part = Accumulator(_worker_acc.recipients, _worker_acc.detector, _worker_acc.limits)
    skipped: dict[str, int] = {}
    n = 0
    with open(path, "rb") as fp:
        fp.seek(start)
        for flow in iter_jsonl(_RangeReader(fp, end), skipped):
            flow.source = flow.source or path
            part.add(flow)
            n += 1
    return part, n, skipped


def _fold_jsonl_ranges(src: Any, acc: Accumulator, jobs: int) -> None:
    """hpa JSONL splits on line boundaries: each worker reads its own byte range, so no flow crosses processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ranges = _jsonl_ranges(src.path, jobs * 8)
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_worker_init,
                             initargs=(acc.recipients, acc.detector, acc.limits)) as pool:
        futures = [pool.submit(_worker_fold_range, str(src.path), a, b) for a, b in ranges]
        for f in futures:
            part, n, skipped = f.result()
            acc.merge(part)
            src.stats.flows += n
            for reason, k in skipped.items():
                src.stats.skipped[reason] = src.stats.skipped.get(reason, 0) + k


def _load_capture_meta(paths: Iterable[Path]) -> dict[str, Any] | None:
    for p in paths:
        meta = p / "meta.json" if p.is_dir() else None
        if meta and meta.is_file():
            try:
                d = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError) as e:
                raise InputError(meta, f"unreadable capture metadata ({str(e) or type(e).__name__})") from None
            problem = _meta_problem(d)
            if problem:
                raise InputError(meta, f"bad capture metadata: {problem}")
            return d
    return None


MAX_META_DEPTH = 32     # hpa's own meta.json is 4 levels deep


def _json_depth(d: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(d, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _meta_problem(d: Any) -> str | None:
    """What is wrong with the shape of a meta.json (written elsewhere, so hostile), or None. Only the keys the
    analysis and the reports read are checked; others are carried along as they are."""
    if not isinstance(d, dict):
        return "not a JSON object"
    if _json_depth(d) > MAX_META_DEPTH:        # the report carries meta along; deep nesting would overflow the stack
        return f"nested deeper than {MAX_META_DEPTH} levels"
    try:                                        # JSON \ud800 escapes decode to lone surrogates, which cannot be written
        json.dumps(d, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "text that is not valid Unicode (a lone surrogate)"
    app = d.get("app")
    if app is not None:
        if not isinstance(app, dict):
            return "app is not an object"
        for k in ("id", "name"):
            if app.get(k) is not None and not isinstance(app[k], str):
                return f"app.{k} is not a string"
        fp = app.get("first_party_domains")
        if fp is not None and not (isinstance(fp, list) and all(isinstance(x, str) for x in fp)):
            return "app.first_party_domains is not a list of strings"
    dur = d.get("duration_s")
    if dur is not None and (isinstance(dur, bool) or not isinstance(dur, (int, float))):
        return "duration_s is not a number"
    phases = d.get("phases")
    if phases is not None and not (isinstance(phases, list) and all(isinstance(p, dict) for p in phases)):
        return "phases is not a list of objects"
    if d.get("persona"):
        try:
            Persona.from_dict(d["persona"])
        except ValueError as e:
            return f"persona: {e}"
    return None


def _sorted_flows(dfs: Iterable[DataFlow]) -> list[DataFlow]:
    party_rank = {"third": 0, "unknown": 1, "service_provider": 2, "first": 3}
    return sorted(dfs, key=lambda d: (party_rank.get(d.recipient.party, 9), d.data_type,
                                      d.recipient.entity or "", d.recipient.domain))


def analyze(paths: list[str | Path], opts: AnalyzeOptions | None = None) -> Report:
    """Analyze capture files (mitmproxy dumps, HAR, hpa JSONL, pcap, capture folders) into a report."""
    from .policy import assess_data_flows, load_data_safety, read_policy
    from .recipients.static import scan_apk
    from .traffic import open_capture
    from .verdict import decide_label, derive_findings

    opts = opts or AnalyzeOptions()
    ppaths = [Path(p) for p in paths]
    meta = _load_capture_meta(ppaths)
    persona: Persona | None = load_persona(opts.known_values) if opts.known_values else None
    if persona is None and meta and meta.get("persona"):
        persona = Persona.from_dict(meta["persona"])
    policy = read_policy(opts.policy) if opts.policy else None
    data_safety = load_data_safety(opts.data_safety) if opts.data_safety else None
    static = scan_apk(opts.apk) if opts.apk else None
    meta_app = (meta or {}).get("app") or {}
    app_id = opts.app_id or meta_app.get("id") or (static or {}).get("package")

    first_party = list(opts.first_party_domains) + list(meta_app.get("first_party_domains") or [])
    recipients = Recipients(app_id, first_party_domains=first_party, static=static, policy=policy)
    detector = Detector(persona)
    acc = Accumulator(recipients, detector, opts.limits)
    stats = InputStats()
    sources = [open_capture(p, keylog=opts.keylog) for p in ppaths]      # opening validates every file before any work
    for src in sources:
        if opts.jobs > 1 and src.format == "jsonl":
            _fold_jsonl_ranges(src, acc, opts.jobs)
        elif opts.jobs > 1:
            _fold_parallel(src, acc, opts.jobs)
        else:
            for flow in src:
                acc.add(flow)
        stats.files.append({"path": str(src.path), "format": src.format, "flows": src.stats.flows,
                            "records": src.stats.records, "skipped": dict(src.stats.skipped), "read": src.read_line()})
        stats.flows_read += src.stats.flows
        for reason, n in src.stats.skipped.items():
            stats.skipped[reason] = stats.skipped.get(reason, 0) + n
            stats.records_skipped += n
    stats.bounds_hit = dict(acc.bounds_hit)

    data_flows = _sorted_flows(acc.data_flows.values())
    for df in data_flows:  # the evidence kept is a sample; the count says how many requests carried it
        df.evidence_count = acc.evidence_counts[(df.data_type, df.recipient.entity or df.recipient.domain)]
    assess_data_flows(data_flows, policy, data_safety)

    coverage = acc.finish_coverage()
    if meta:
        coverage.simulated = bool(meta.get("simulated"))
        if meta.get("duration_s") is not None:
            coverage.duration_s = meta["duration_s"]
    app: dict[str, Any] = {"id": app_id}
    if opts.app_name or meta_app.get("name"):
        app["name"] = opts.app_name or meta_app["name"]
    report = Report(
        app=app,
        input=stats,
        contacts=sorted(acc.contacts.values(), key=lambda c: (c.party != "third", c.entity or "~", c.host)),
        data_flows=data_flows,
        findings=[],
        label=None,  # type: ignore[arg-type]  # decided below, from the rest of the report
        coverage=coverage,
        tool={"name": "hpa", "version": __version__},
        generated_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        static=static,
        policy=_policy_summary(policy),
        capture=meta,
        data_safety=_data_safety_summary(data_safety),
    )
    report.findings = derive_findings(report)
    report.label = decide_label(report)
    return report


def _policy_summary(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    if not policy:
        return None
    return {
        "source": policy.get("source"),
        "language": policy.get("language"),
        "claims": len(policy.get("claims", [])),
        "third_parties": [t.get("entity") for t in policy.get("third_parties", [])],
    }


def _data_safety_summary(ds: Any) -> dict[str, Any] | None:
    if ds is None:
        return None
    return {
        "source": ds.source,
        "no_data_shared": ds.no_data_shared,
        "no_data_collected": ds.no_data_collected,
        "shared": sorted(k for k, e in ds.data_types.items() if e.shared),
        "collected": sorted(k for k, e in ds.data_types.items() if e.collected),
    }
