"""Score hpa's detections against the corpus ground truth, per (capture, entry, data class).

The unit of scoring is "this request carries this class of data": a detection of class C on entry i is a true
positive when the ground truth has a label of class C on entry i, else a false alarm; a labelled (i, C) with no
detection is a miss. Several labels or detections of one class on one entry count once (the report's unit is
the request, the location is evidence).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .har import DATA_CLASSES

CORPUS = Path(__file__).parent / "corpus"

# report data types (model.DATA_TYPES) -> the corpus' data classes; other types are not scored
CLASS_OF: dict[str, str] = {
    "health_fitness.health": "health", "health_fitness.fitness": "fitness", "device_ids": "device_ids",
    "personal_info.email": "email", "personal_info.phone": "phone", "personal_info.name": "name",
    "location.precise": "location", "location.approximate": "location",
}


@dataclass(frozen=True, slots=True)
class Unit:
    capture: str
    entry: int
    data_class: str


@dataclass(slots=True)
class Item:
    """A labelled or detected unit with what explains it (details, location, excerpt)."""

    unit: Unit
    url: str = ""
    details: str = ""
    location: str = ""
    excerpt: str = ""
    method: str = ""


@dataclass(slots=True)
class ClassScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @classmethod
    def sum(cls, scores: Iterable["ClassScore"]) -> "ClassScore":
        t = cls()
        for c in scores:
            t.tp, t.fp, t.fn = t.tp + c.tp, t.fp + c.fp, t.fn + c.fn
        return t


@dataclass
class Score:
    classes: dict[str, ClassScore]
    misses: list[Item] = field(default_factory=list)
    false_alarms: list[Item] = field(default_factory=list)
    captures: int = 0
    flows: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traps: dict[str, list[int]] = field(default_factory=dict)   # trap kind -> [traps, traps that drew a false alarm]

    @property
    def total(self) -> ClassScore:
        return ClassScore.sum(self.classes.values())


def score_units(truth: Iterable[Item], detected: Iterable[Item], classes: Iterable[str] = DATA_CLASSES) -> Score:
    """Pure scoring: items are grouped by unit; first item of a unit explains it in the lists."""
    classes = tuple(classes)
    want: dict[Unit, Item] = {}
    for it in truth:
        if it.unit.data_class in classes:
            want.setdefault(it.unit, it)
    got: dict[Unit, Item] = {}
    for it in detected:
        if it.unit.data_class in classes:
            got.setdefault(it.unit, it)
    out = Score(classes={c: ClassScore() for c in classes})
    for unit, it in got.items():
        cs = out.classes[unit.data_class]
        if unit in want:
            cs.tp += 1
        else:
            cs.fp += 1
            out.false_alarms.append(it)
    for unit, it in want.items():
        if unit not in got:
            out.classes[unit.data_class].fn += 1
            out.misses.append(it)
    key = lambda i: (i.unit.capture, i.unit.entry, i.unit.data_class)  # noqa: E731
    out.misses.sort(key=key)
    out.false_alarms.sort(key=key)
    return out


# -- the corpus ---------------------------------------------------------------------------------------
@dataclass
class CaptureFiles:
    name: str
    har: Path
    truth: Path
    persona: Path


def corpus_files(corpus: Path = CORPUS) -> list[CaptureFiles]:
    out = []
    for har in sorted(corpus.glob("*.har")):
        stem = har.name[: -len(".har")]
        out.append(CaptureFiles(stem, har, corpus / f"{stem}.truth.json", corpus / f"{stem}.persona.json"))
    return out


def trap_checks(cf: CaptureFiles) -> list[tuple[str, list[Unit]]]:
    """Each trap as (kind, the units it must not produce)."""
    t = json.loads(cf.truth.read_text(encoding="utf-8"))
    return [(tr["kind"], [Unit(cf.name, tr["entry"], c) for c in tr.get("not", [])]) for tr in t.get("traps", [])
            if tr.get("not")]


def truth_items(cf: CaptureFiles) -> list[Item]:
    t = json.loads(cf.truth.read_text(encoding="utf-8"))
    return [Item(Unit(cf.name, lab["entry"], lab["data_class"]), url=lab.get("url", ""), details=lab.get("details", ""),
                 location=lab.get("location", "")) for lab in t["labels"]]


def har_times(har: Path) -> list[int]:
    """Start time (epoch ms) of each entry: a key to map hpa's flows back to entries (they are distinct)."""
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return [_ms(dt.datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00")).timestamp()) for e in entries]


def _ms(t: float) -> int:
    return int(round(t * 1000))


# -- running hpa ----------------------------------------------------------------------------------------
def hpa_detect(cf: CaptureFiles) -> tuple[list[Item], int, list[str]]:
    """Analyze one capture with hpa (persona as known values); returns detected items, flows read, notes."""
    from analyzer import aggregate, pipeline
    from analyzer.traffic import open_capture

    times = har_times(cf.har)
    by_time = {t: i for i, t in enumerate(times)}
    by_id: dict[str, int] = {}
    for flow in open_capture(cf.har):      # the reader's flow ids, mapped to entries by their start time
        if flow.time is not None and _ms(flow.time) in by_time:
            by_id[flow.id] = by_time[_ms(flow.time)]
    saved = aggregate.MAX_EVIDENCE
    aggregate.MAX_EVIDENCE = 10**9          # keep every piece of evidence: scoring needs all of them, not a sample
    try:
        app = json.loads(cf.truth.read_text(encoding="utf-8")).get("app", {})
        first_party = [h.split(".", 1)[1] for h in app.get("first_party", []) if "." in h]
        report = pipeline.analyze([cf.har], pipeline.AnalyzeOptions(
            known_values=str(cf.persona), app_id=app.get("id"), first_party_domains=sorted(set(first_party))))
    finally:
        aggregate.MAX_EVIDENCE = saved
    notes, items = [], []
    if report.input.records_skipped:
        notes.append(f"{cf.name}: hpa skipped {report.input.records_skipped} records {report.input.skipped}")
    for df in report.data_flows:
        cls = CLASS_OF.get(df.data_type)
        if cls is None:
            continue
        if df.evidence_count > len(df.evidence):
            notes.append(f"{cf.name}: {df.data_type} -> {df.recipient.domain}: {df.evidence_count - len(df.evidence)} detections without evidence")
        for ev in df.evidence:
            entry = by_id.get(ev.flow_id)
            if entry is None and ev.time is not None:
                entry = by_time.get(_ms(ev.time))
            if entry is None:
                notes.append(f"{cf.name}: evidence for unknown flow {ev.flow_id!r}")
                continue
            items.append(Item(Unit(cf.name, entry, cls), url=ev.url or "", details=",".join(df.details)[:60],
                              location=ev.location, excerpt=ev.excerpt, method=ev.method))
    return items, report.input.flows_read, notes


Detect = Callable[[CaptureFiles], tuple[list[Item], int, list[str]]]


def score(corpus: Path = CORPUS, detect: Detect | None = None, classes: Iterable[str] = DATA_CLASSES) -> Score:
    """Run the detector (hpa by default) over every capture of the corpus and score it."""
    detect = detect or hpa_detect
    truth: list[Item] = []
    found: list[Item] = []
    traps: list[tuple[str, list[Unit]]] = []
    errors: list[str] = []
    notes: list[str] = []
    flows = 0
    files = corpus_files(corpus)
    t0 = time.perf_counter()
    for cf in files:
        truth += truth_items(cf)
        traps += trap_checks(cf)
        try:
            items, n, more = detect(cf)
        except Exception as e:                  # measure what works; a broken capture is reported, not fatal
            errors.append(f"{cf.name}: {type(e).__name__}: {e}")
            continue
        found += items
        flows += n
        notes += more
    seconds = time.perf_counter() - t0
    out = score_units(truth, found, classes)
    out.captures, out.flows, out.seconds, out.errors, out.notes = len(files), flows, seconds, errors, notes
    alarms = {it.unit for it in out.false_alarms}
    for kind, units in traps:
        counts = out.traps.setdefault(kind, [0, 0])
        counts[0] += 1
        counts[1] += any(u in alarms for u in units)
    return out


def fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def table(s: Score) -> str:
    lines = [f"{'class':<11} {'precision':>9} {'recall':>7} {'TP':>5} {'FP':>5} {'FN':>5}"]
    for name, c in [*s.classes.items(), ("all", s.total)]:
        lines.append(f"{name:<11} {fmt(c.precision):>9} {fmt(c.recall):>7} {c.tp:>5} {c.fp:>5} {c.fn:>5}")
    return "\n".join(lines)


def trap_line(s: Score) -> str:
    return "traps that drew a false alarm: " + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(s.traps.items()))


def details(s: Score) -> str:
    out = [f"misses ({len(s.misses)}):"]
    for it in s.misses:
        u = it.unit
        out.append(f"  {u.capture}#{u.entry} {u.data_class} [{it.details}] at {it.location}  {it.url[:90]}")
    out.append(f"false alarms ({len(s.false_alarms)}):")
    for it in s.false_alarms:
        u = it.unit
        out.append(f"  {u.capture}#{u.entry} {u.data_class} [{it.details}] by {it.method} at {it.location}: "
                   f"{it.excerpt[:80]!r}  {it.url[:80]}")
    return "\n".join(out)


def as_dict(s: Score) -> dict[str, Any]:
    return {"captures": s.captures, "flows": s.flows, "seconds": round(s.seconds, 3),
            "classes": {k: {"precision": c.precision, "recall": c.recall, "tp": c.tp, "fp": c.fp, "fn": c.fn}
                        for k, c in s.classes.items()},
            "traps": {k: {"traps": v[0], "false_alarms": v[1]} for k, v in s.traps.items()},
            "errors": s.errors}
