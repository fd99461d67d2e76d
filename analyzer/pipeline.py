"""The analysis pipeline: capture files in, one hpa.report/1 out. Wiring only: each step lives in its room.

read (traffic) -> fold each flow: decode, detect, group into data flows (aggregate; on several cores: parallel)
-> promises (policy) -> findings and label (verdict) -> Report (model).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .aggregate import Accumulator, finished_data_flows
from .capture.meta import load_capture_meta, recorded_persona
from .decode import DEFAULT_LIMITS, Limits
from .detect import Detector
from .detect.persona import load_persona, merge_personas
from .model import InputStats, Report
from .parallel import auto_jobs, fold_parallel
from .recipients import Recipients
from .recipients.party import apply_first_party, infer_first_party
from .report.summary import data_safety_summary, policy_summary


@dataclass
class AnalyzeOptions:
    app_id: str | None = None
    app_name: str | None = None
    policy: str | None = None                # policy file or URL (hpa.policy/1 is computed from it)
    data_safety: str | None = None           # Data-safety form JSON
    known_values: str | None = None          # hpa.persona/1 JSON, merged with the persona a capture recorded
    apk: str | None = None                   # APK whose static facts feed first-party inference
    first_party_domains: list[str] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS
    jobs: int = 1                            # processes for analysis (1: in this process; 0: as many as pay)
    keylog: str | None = None                # SSLKEYLOGFILE for TLS inside pcaps


def _read(sources: list[Any], acc: Accumulator, jobs: int) -> InputStats:
    """Fold every flow of every source into `acc`; what was read and skipped, per file."""
    stats = InputStats()
    for src in sources:
        n = jobs if jobs > 0 else auto_jobs(src)
        if n > 1:
            fold_parallel(src, acc, n)
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
    return stats


def _scan_apk(path: str) -> dict[str, Any]:
    from .static import scan_apk     # androguard: imported only when an APK is given

    return scan_apk(path)


def analyze(paths: list[str | Path], opts: AnalyzeOptions | None = None) -> Report:
    """Analyze capture files (mitmproxy dumps, HAR, hpa JSONL, pcap, capture folders) into a report."""
    from .traffic import open_capture
    from .verdict import decide_label, derive_findings

    opts = opts or AnalyzeOptions()
    ppaths = [Path(p) for p in paths]
    meta = load_capture_meta(ppaths)
    given = load_persona(opts.known_values) if opts.known_values else None
    persona = merge_personas(recorded_persona(meta), given)
    policy = data_safety = None
    if opts.policy or opts.data_safety:             # the policy room (and its parsers) load only when needed
        from .policy import load_data_safety, read_policy

        policy = read_policy(opts.policy) if opts.policy else None
        data_safety = load_data_safety(opts.data_safety) if opts.data_safety else None
    static = _scan_apk(opts.apk) if opts.apk else None
    meta_app = (meta or {}).get("app") or {}
    meta_id = None if (meta or {}).get("backend") == "manual" and meta_app.get("id") == "manual" else meta_app.get("id")
    app_id = opts.app_id or meta_id or (static or {}).get("package")

    first_party = list(opts.first_party_domains) + list(meta_app.get("first_party_domains") or [])
    recipients = Recipients(app_id, first_party_domains=first_party, static=static, policy=policy)
    acc = Accumulator(recipients, Detector(persona), opts.limits)
    sources = [open_capture(p, keylog=opts.keylog) for p in ppaths]      # opening validates every file before any work
    stats = _read(sources, acc, opts.jobs)

    guess = None
    if not app_id and not first_party:           # nobody said which app this is: the traffic says it
        guess = infer_first_party(acc.app_hints, list(acc.contacts.values()), recipients)
        apply_first_party(guess, acc.contacts.values(), acc.data_flows.values())
        app_id = guess.app_id
    data_flows = finished_data_flows(acc)
    if policy is not None or data_safety is not None:
        from .policy import assess_data_flows

        assess_data_flows(data_flows, policy, data_safety)
    coverage = acc.finish_coverage()
    if meta:
        coverage.simulated = bool(meta.get("simulated"))
        if meta.get("duration_s") is not None:
            coverage.duration_s = meta["duration_s"]
    app: dict[str, Any] = {"id": app_id}
    if guess is not None:
        app["inferred"] = guess.to_dict()
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
        policy=policy_summary(policy),
        capture=meta,
        data_safety=data_safety_summary(data_safety),
        known_values=persona.to_dict() if persona else None,
    )
    report.findings = derive_findings(report)
    report.label = decide_label(report)
    return report
