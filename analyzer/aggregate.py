"""Detections -> data flows: the fold of a capture's flows into contacts, data flows and coverage.

Each flow is decoded, detected and folded into an `Accumulator` that keeps only aggregates (contacts, data flows
with a bounded sample of evidence), so memory stays flat on a multi-GB dump. Accumulators merge, so chunks of a
capture can be folded on several cores (`analyzer.parallel`).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from .decode import DEFAULT_LIMITS, Limits, decode_flow
from .detect import Detector
from . import model
from .model import Contact, Coverage, DataFlow, Detection, Evidence, Flow
from .recipients import Recipients
from .recipients.attribution import Clues, is_decided
from .recipients.party import app_id_hints

MAX_EVIDENCE = model.MAX_EVIDENCE    # a module global, so a scorer can keep every piece of evidence
EXCERPT_CHARS = 120


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
        self.clues = Clues()            # CNAME, certificate and SDK marks per host, for attribution
        self.app_hints: Counter[str] = Counter()     # package names requests give as their app (first-party inference)

    def __getstate__(self) -> dict:
        # a worker's part comes back without the tools that made it: rebuilding a Detector per part (its data
        # files) would cost the main process more than the part saved
        return {k: v for k, v in self.__dict__.items() if k not in ("recipients", "detector")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, recipients=None, detector=None)

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
        self.clues.observe(flow, is_decided(contact))
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
        self.app_hints.update(app_id_hints(decoded.fields))
        counted: set[tuple[str, str]] = set()      # a request counts once per data flow, however many fields
        for det in self.detector.detect(flow, decoded.fields):
            self._fold(flow, contact, det, counted)

    def _contact(self, flow: Flow) -> Contact:
        c = self.contacts.get(flow.host)
        if c is None:
            c = self.recipients.contact(flow.host)
            self.contacts[flow.host] = c
        c.flows += 1
        if flow.phase and flow.phase not in c.phases:
            c.phases.append(flow.phase)
        return c

    def _fold(self, flow: Flow, contact: Contact, det: Detection, counted: set[tuple[str, str]]) -> None:
        rkey = contact.entity or contact.domain
        key = (det.data_type, rkey)
        df = self.data_flows.get(key)
        if df is None:
            df = DataFlow(
                data_type=det.data_type,
                recipient=contact.recipient(),
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
        if key not in counted:
            counted.add(key)
            self.evidence_counts[key] += 1
        flow_id = det.flow_id or flow.id
        if len(df.evidence) < MAX_EVIDENCE and not any(e.flow_id == flow_id and e.location == det.location
                                                       for e in df.evidence):
            df.evidence.append(Evidence(
                flow_id=flow_id, location=det.location, excerpt=_excerpt(det.excerpt),
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
                mine.merge(df, MAX_EVIDENCE)
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
        self.clues.merge(other.clues)
        self.app_hints.update(other.app_hints)

    def finish_coverage(self) -> Coverage:
        cov = self.coverage
        cov.failed_tls_hosts = sorted(self.failed_hosts)
        cov.pcap_only_hosts = sorted(self.pcap_hosts)
        if cov.first_time is not None and cov.last_time is not None:
            cov.duration_s = round(cov.last_time - cov.first_time, 3)
        return cov


def _sorted_flows(dfs: Iterable[DataFlow]) -> list[DataFlow]:
    party_rank = {"third": 0, "unknown": 1, "service_provider": 2, "first": 3}
    return sorted(dfs, key=lambda d: (party_rank.get(d.recipient.party, 9), d.data_type,
                                      d.recipient.entity or "", d.recipient.domain))


def data_flow_key(df: DataFlow) -> tuple[str, str]:
    """The group-by key of a data flow: (data type, recipient company or, without one, its domain)."""
    return df.data_type, df.recipient.entity or df.recipient.domain


def finished_data_flows(acc: Accumulator) -> list[DataFlow]:
    """The data flows in report order, each with how many requests carried it (the evidence kept is a sample).
    Hosts the domain lists left open are attributed first, now that every flow and CNAME has been seen."""
    acc.data_flows, acc.evidence_counts = acc.recipients.finalize(acc.contacts, acc.data_flows, acc.evidence_counts,
                                                                  acc.clues)
    flows = _sorted_flows(acc.data_flows.values())
    for df in flows:
        df.evidence_count = acc.evidence_counts[data_flow_key(df)]
    return flows
