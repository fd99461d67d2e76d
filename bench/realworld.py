"""hpa and TrackHAR on the open real-world set (requests no one on this project wrote).

    python -m bench.realworld [--details] [--no-trackhar]

Reads `$HPA_REALWORLD/traffic` (default /work/shared/realworld/traffic; never copied into the repository):
`truth.json` gives, per group HAR and entry, the (data class, company) pairs the request carries, optional pairs
(neither a hit nor a false alarm) and negative controls (no pair). The unit is (group, entry, class, company).
hpa runs `analyze()` on each group twice, with the group's persona as known values (where there is one) and
without any; a data flow counts for its recipient's company (any party but `first`). TrackHAR runs in the same
run over the same HARs, given the persona's honey values; its findings count for the company of the request's
host (TrackHAR names no companies), so TrackHAR is not charged for attribution.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.quality.score import ClassScore

HERE = Path(__file__).parent
ROOT = Path(os.environ.get("HPA_REALWORLD", "/work/shared/realworld")) / "traffic"
APP_ID = "org.example.external"

# hpa report data types -> the truth's classes
CLASS_OF = {
    "device_ids": "device_ids", "location.precise": "location", "location.approximate": "location",
    "personal_info.email": "email", "personal_info.phone": "phone", "personal_info.name": "name",
    "health_fitness.health": "health", "health_fitness.fitness": "health",
}
# hpa's canonical company names -> the truth's names (the truth file uses the short brand)
COMPANY = {
    "meta": "Meta", "facebook": "Meta", "google": "Google", "alphabet": "Google", "microsoft": "Microsoft",
    "amplitude": "Amplitude", "mixpanel": "Mixpanel", "adjust": "Adjust", "branch": "Branch",
    "branch metrics": "Branch", "appsflyer": "AppsFlyer", "kochava": "Kochava", "sentry": "Sentry",
    "functional software": "Sentry", "bugsnag": "Bugsnag", "smartbear": "Bugsnag", "clevertap": "CleverTap",
    "onesignal": "OneSignal", "adobe": "Adobe", "airship": "Airship", "urban airship": "Airship",
    "chartboost": "Chartboost", "helpshift": "Helpshift", "celebrus": "Celebrus", "appdynamics": "AppDynamics",
    "cisco": "AppDynamics",
}
# TrackHAR properties -> classes (as bench/trackhar_compare.py)
TH_CLASS = {
    "advertisingId": "device_ids", "hashedAdvertisingId": "device_ids", "deviceId": "device_ids",
    "installationId": "device_ids", "developerScopedId": "device_ids", "pushNotificationToken": "device_ids",
    "otherIdentifiers": "device_ids", "macAddress": "device_ids", "latitude": "location",
    "longitude": "location", "email": "email", "phoneNumber": "phone", "name": "name",
}


@dataclass(frozen=True, slots=True)
class Unit:
    group: str
    entry: int
    data_class: str
    company: str


@dataclass
class Result:
    classes: dict[str, ClassScore] = field(default_factory=dict)
    misses: list[Unit] = field(default_factory=list)
    false_alarms: list[tuple[Unit, str]] = field(default_factory=list)

    @property
    def total(self) -> ClassScore:
        return ClassScore.sum(self.classes.values())


def available() -> str | None:
    """None when the set is readable, else why not."""
    if not (ROOT / "truth.json").is_file():
        return f"{ROOT}/truth.json not found (set HPA_REALWORLD to the real-world folder)"
    return None


def load_truth() -> dict:
    return json.loads((ROOT / "truth.json").read_text(encoding="utf-8"))


def truth_units(truth: dict) -> tuple[set[Unit], set[Unit]]:
    want: set[Unit] = set()
    optional: set[Unit] = set()
    for g, grp in truth["groups"].items():
        for e in grp["entries"]:
            for cls, comp in e.get("expect", []):
                want.add(Unit(g, e["index"], cls, comp))
            for cls, comp in e.get("optional", []):
                optional.add(Unit(g, e["index"], cls, comp))
    return want, optional


def score(want: set[Unit], optional: set[Unit], found: dict[Unit, str], classes: list[str]) -> Result:
    r = Result(classes={c: ClassScore() for c in classes})
    for u, why in sorted(found.items(), key=lambda x: (x[0].group, x[0].entry, x[0].data_class)):
        if u.data_class not in r.classes or u in optional:
            continue
        if u in want:
            r.classes[u.data_class].tp += 1
        else:
            r.classes[u.data_class].fp += 1
            r.false_alarms.append((u, why))
    for u in sorted(want, key=lambda u: (u.group, u.entry, u.data_class)):
        if u not in found and u.data_class in r.classes:
            r.classes[u.data_class].fn += 1
            r.misses.append(u)
    return r


def company_of(entity: str | None, domain: str) -> str:
    if entity:
        return COMPANY.get(entity.strip().lower(), entity)
    return f"?{domain}"             # no company known to hpa for this host: never matches a truth pair


def entry_of(flow_id: str) -> int | None:
    """HAR flow ids are `<file>#<n>`, n counting entries from 1 (the truth counts from 0)."""
    _, sep, n = flow_id.rpartition("#")
    return int(n) - 1 if sep and n.isdigit() else None


def run_hpa(truth: dict, with_persona: bool) -> tuple[dict[Unit, str], list[str]]:
    from analyzer import aggregate, pipeline

    found: dict[Unit, str] = {}
    notes: list[str] = []
    saved = aggregate.MAX_EVIDENCE
    aggregate.MAX_EVIDENCE = 10**9
    try:
        for g, grp in truth["groups"].items():
            har = ROOT / grp["har"]
            persona = ROOT / grp["persona"] if with_persona and grp.get("persona") else None
            report = pipeline.analyze([str(har)], pipeline.AnalyzeOptions(
                app_id=APP_ID, known_values=str(persona) if persona else None))
            if report.input.records_skipped:
                notes.append(f"{g}: reader skipped {report.input.records_skipped} {dict(report.input.skipped)}")
            for df in report.data_flows:
                cls = CLASS_OF.get(df.data_type)
                if cls is None or df.recipient.party == "first":
                    continue
                comp = company_of(df.recipient.entity, df.recipient.domain)
                for ev in df.evidence:
                    i = entry_of(ev.flow_id)
                    if i is None:
                        notes.append(f"{g}: evidence for unknown flow {ev.flow_id!r}")
                        continue
                    found.setdefault(Unit(g, i, cls, comp), f"{','.join(df.details)[:40]} by {ev.method} at "
                                                             f"{ev.location}: {ev.excerpt[:70]!r}")
    finally:
        aggregate.MAX_EVIDENCE = saved
    return found, notes


def _indicators(persona: dict) -> dict[str, list[str]]:
    import hashlib
    out: dict[str, list[str]] = {}
    if persona.get("advertising_id"):
        out["advertisingId"] = [persona["advertising_id"]]
    if persona.get("android_id"):
        out["deviceId"] = [persona["android_id"]]
    if persona.get("email"):
        e = persona["email"]
        out["email"] = [e, hashlib.sha256(e.strip().lower().encode()).hexdigest()]
    if persona.get("lat") is not None and persona.get("lon") is not None:
        out["latitude"] = sorted({str(persona["lat"]), f"{persona['lat']:.4f}"})
        out["longitude"] = sorted({str(persona["lon"]), f"{persona['lon']:.4f}"})
    return out


def run_trackhar(truth: dict, with_persona: bool) -> tuple[dict[Unit, str] | None, str]:
    from bench.trackhar_compare import RUNNER, install

    pkg, status = install()
    if pkg is None:
        return None, status
    jobs, groups = [], {}
    for g, grp in truth["groups"].items():
        har = str(ROOT / grp["har"])
        p = ROOT / grp["persona"] if with_persona and grp.get("persona") else None
        jobs.append({"har": har, "indicators": _indicators(json.loads(p.read_text())) if p else {}})
        groups[har] = g
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
    try:
        r = subprocess.run(["node", str(RUNNER), str(pkg), f.name], capture_output=True, text=True, timeout=1800)
    finally:
        Path(f.name).unlink(missing_ok=True)
    if r.returncode != 0:
        return None, f"runner failed: {r.stderr.strip()[-200:]}"
    out = json.loads(r.stdout)
    # TrackHAR names no company: a finding counts for the company the request's host belongs to in the truth
    host_company = _host_companies(truth)
    found: dict[Unit, str] = {}
    for har, per_entry in out["results"].items():
        g = groups[har]
        for i, items in enumerate(per_entry):
            for t in items or []:
                cls = TH_CLASS.get(t["property"])
                comp = host_company.get((g, i))
                if cls and comp:
                    found.setdefault(Unit(g, i, cls, comp), f"{t['property']} at {t['path']}")
    return found, status


def _host_companies(truth: dict) -> dict[tuple[str, int], str]:
    out = {}
    for g, grp in truth["groups"].items():
        for e in grp["entries"]:
            pairs = e.get("expect", []) + e.get("optional", [])
            if pairs:
                out[(g, e["index"])] = pairs[0][1]
            else:                               # a negative control: its host's company from a sibling entry
                host = e["url"].split("/")[2]
                for e2 in grp["entries"]:
                    p2 = e2.get("expect", []) + e2.get("optional", [])
                    if p2 and e2["url"].split("/")[2].split(".", 1)[-1] == host.split(".", 1)[-1]:
                        out[(g, e["index"])] = p2[0][1]
                        break
                else:
                    out[(g, e["index"])] = f"?{host}"
    return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def report(name: str, r: Result, prefix: str) -> list[str]:
    t = r.total
    lines = [f"{prefix}.all: precision {_fmt(t.precision)} recall {_fmt(t.recall)} (tp {t.tp}, fp {t.fp}, fn {t.fn}; "
             f"target P >= 0.95, R >= 0.90) [{name}]"]
    for c, s in r.classes.items():
        if s.tp + s.fp + s.fn:
            lines.append(f"{prefix}.{c}: precision {_fmt(s.precision)} recall {_fmt(s.recall)} "
                         f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.realworld", description=__doc__.splitlines()[0])
    ap.add_argument("--details", action="store_true", help="list misses and false alarms")
    ap.add_argument("--no-trackhar", action="store_true")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    why = available()
    if why:
        print(f"realworld: SKIPPED ({why})")
        return 0
    truth = load_truth()
    classes = list(truth["classes"])
    want, optional = truth_units(truth)
    entries = sum(len(g["entries"]) for g in truth["groups"].values())
    print(f"realworld: {entries} requests in {len(truth['groups'])} groups, {len(want)} expected pairs, "
          f"{len(optional)} optional")
    for with_persona, tag in ((True, "personas"), (False, "no_persona")):
        found, notes = run_hpa(truth, with_persona)
        r = score(want, optional, found, classes)
        for ln in report("hpa", r, f"realworld_hpa_{tag}"):
            print(ln)
        th = None
        if not args.no_trackhar:
            th, status = run_trackhar(truth, with_persona)
            if th is None:
                print(f"realworld_trackhar_{tag}: NOT RUN ({status})")
            else:
                rt = score(want, optional, th, classes)
                for ln in report(status, rt, f"realworld_trackhar_{tag}"):
                    print(ln)
        if args.details:
            for n in notes:
                print(f"  note: {n}")
            for u in r.misses:
                print(f"  hpa miss ({tag}): {u.group}#{u.entry} {u.data_class}/{u.company}")
            for u, w in r.false_alarms:
                print(f"  hpa false alarm ({tag}): {u.group}#{u.entry} {u.data_class}/{u.company}: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
