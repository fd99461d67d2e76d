"""hpa vs TrackHAR (tweasel, npm `trackhar`) on the labeled HAR corpus of bench/quality.

    python -m bench.trackhar_compare [--repeat 3]

Installs trackhar with npm into bench/out/node (not a test dependency), runs it with Node over the same HAR
files, gives it the persona's honey values as `indicatorValues` (advertising id, Android id, exact and
4-decimal lat/lon, email and its SHA-256: what a careful TrackHAR user would pass), and scores both tools
against the ground truth for the classes both cover (device ids, location, email). Speed is flows/s inside
each tool's analysis call (TrackHAR's process(), hpa's analyze()), best of --repeat runs, same machine, same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.quality.score import CaptureFiles, ClassScore, Item, Unit, corpus_files, fmt, score_units, truth_items, hpa_detect

HERE = Path(__file__).parent
NODE_DIR = HERE / "out" / "node"
PKG = "trackhar@1.0.0"
RUNNER = HERE / "trackhar_runner.mjs"
SHARED = ("device_ids", "location", "email")

# TrackHAR's standard properties (i18n/en.json) -> the corpus' data classes; `email` is our indicator name
PROPERTY_CLASS = {
    "advertisingId": "device_ids", "hashedAdvertisingId": "device_ids", "deviceId": "device_ids",
    "installationId": "device_ids", "developerScopedId": "device_ids", "pushNotificationToken": "device_ids",
    "otherIdentifiers": "device_ids", "macAddress": "device_ids",
    "latitude": "location", "longitude": "location", "email": "email",
}


def install() -> tuple[Path | None, str]:
    """Install trackhar (once) and return its package dir, or None with the reason."""
    pkg = NODE_DIR / "node_modules" / "trackhar"
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node/npm not found (apt-get install nodejs npm)"
    if not (pkg / "dist" / "index.js").is_file():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", PKG],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0 or not (pkg / "dist" / "index.js").is_file():
            return None, f"npm install {PKG} failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    version = json.loads((pkg / "package.json").read_text())["version"]
    return pkg, f"trackhar {version}"


def indicators(persona: dict) -> dict[str, list[str]]:
    lat, lon = persona["lat"], persona["lon"]
    email = persona["email"]
    return {"advertisingId": [persona["advertising_id"]], "deviceId": [persona["android_id"]],
            "latitude": sorted({str(lat), f"{lat:.4f}"}), "longitude": sorted({str(lon), f"{lon:.4f}"}),
            "email": [email, hashlib.sha256(email.strip().lower().encode()).hexdigest()]}


def run_trackhar(pkg: Path, files: list[CaptureFiles], repeat: int) -> tuple[list[Item], float]:
    jobs = [{"har": str(cf.har), "indicators": indicators(json.loads(cf.persona.read_text()))} for cf in files]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
    best, out = float("inf"), {}
    try:
        for _ in range(repeat):
            r = subprocess.run(["node", str(RUNNER), str(pkg), f.name], capture_output=True, text=True, timeout=1800)
            if r.returncode != 0:
                raise RuntimeError(f"trackhar runner failed: {r.stderr.strip()[-300:]}")
            out = json.loads(r.stdout)
            best = min(best, out["seconds"])
    finally:
        Path(f.name).unlink(missing_ok=True)
    name_of = {str(cf.har): cf.name for cf in files}
    items = []
    for har, per_entry in out["results"].items():
        for i, found in enumerate(per_entry):
            for t in found or []:
                cls = PROPERTY_CLASS.get(t["property"])
                if cls:
                    items.append(Item(Unit(name_of[har], i, cls), details=t["property"], location=str(t["path"]),
                                      excerpt=t.get("value", ""), method=t.get("adapter", "")))
    return items, best


def time_hpa(files: list[CaptureFiles], repeat: int) -> float:
    from analyzer.pipeline import AnalyzeOptions, analyze

    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for cf in files:
            analyze([cf.har], AnalyzeOptions(known_values=str(cf.persona)))
        best = min(best, time.perf_counter() - t0)
    return best


def time_hpa_core(files: list[CaptureFiles], repeat: int) -> float:
    """decode + detect only (flows already read, no report): where hpa's per-flow time goes."""
    from analyzer.decode import decode_flow
    from analyzer.detect import Detector
    from analyzer.detect.persona import load_persona
    from analyzer.traffic import open_capture

    work = [(Detector(load_persona(str(cf.persona))), list(open_capture(cf.har))) for cf in files]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for det, flows in work:
            for fl in flows:
                det.detect(fl, decode_flow(fl).fields)
        best = min(best, time.perf_counter() - t0)
    return best


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.trackhar_compare", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    if os.environ.get("HPA_BENCH_QUICK"):
        args.repeat = 1
    files = corpus_files()
    flows = sum(len(json.loads(cf.har.read_text())["log"]["entries"]) for cf in files)
    truth = [it for cf in files for it in truth_items(cf)]

    hpa_items: list[Item] = []
    hpa_err = None
    try:
        for cf in files:
            hpa_items += hpa_detect(cf)[0]
        hpa_s = time_hpa(files, args.repeat)
        core_s = time_hpa_core(files, args.repeat)
    except Exception as e:                       # hpa not runnable yet: say so, still measure the peer
        hpa_err, hpa_s, core_s = f"{type(e).__name__}: {e}", None, None
    pkg, status = install()
    th_items: list[Item] = []
    th_s = None
    if pkg is None:
        print(f"trackhar: NOT INSTALLED ({status}); only hpa is measured")
    else:
        try:
            th_items, th_s = run_trackhar(pkg, files, args.repeat)
            print(f"trackhar: {status}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")
        except Exception as e:
            print(f"trackhar: FAILED ({e})")
    if hpa_err:
        print(f"hpa: FAILED ({hpa_err})")
    hpa_fps = flows / hpa_s if hpa_s else None
    th_fps = flows / th_s if th_s else None
    print(f"detect_speed: {fmt_num(hpa_fps)} flows/s hpa ({fmt_num(th_fps)} flows/s trackhar, ratio {_ratio(hpa_fps, th_fps)})"
          f" on {len(files)} HAR captures, {flows} flows")
    if core_s:
        core_fps = flows / core_s
        print(f"detect_core_speed: {core_fps:,.0f} flows/s hpa decode+detect only ({fmt_num(th_fps)} flows/s trackhar, "
              f"ratio {_ratio(core_fps, th_fps)})")
    hs = score_units(truth, hpa_items, SHARED + ("health", "fitness"))
    if hpa_err:                                  # no figures rather than zeros for a tool that did not run
        hs.classes = {k: ClassScore(0, 0, 0) for k in hs.classes}
    ts = score_units(truth, th_items, SHARED)
    print(f"{'class':<11} {'hpa P':>6} {'hpa R':>6} {'TrackHAR P':>10} {'TrackHAR R':>10}   (hpa tp/fp/fn | trackhar tp/fp/fn)")
    for cls in SHARED:
        h, t = hs.classes[cls], ts.classes[cls]
        print(f"{cls:<11} {fmt(h.precision):>6} {fmt(h.recall):>6} {fmt(t.precision):>10} {fmt(t.recall):>10}   "
              f"({h.tp}/{h.fp}/{h.fn} | {t.tp}/{t.fp}/{t.fn})")
    for cls in ("health", "fitness"):
        h = hs.classes[cls]
        print(f"{cls:<11} {fmt(h.precision):>6} {fmt(h.recall):>6} {'not covered':>21}   ({h.tp}/{h.fp}/{h.fn})")
    for cls in SHARED:
        h, t = hs.classes[cls], ts.classes[cls]
        print(f"detect_recall.{cls}: {fmt(h.recall).strip()} hpa ({fmt(t.recall).strip()} trackhar, ratio {_ratio(h.recall, t.recall)})")
        print(f"detect_precision.{cls}: {fmt(h.precision).strip()} hpa ({fmt(t.precision).strip()} trackhar, ratio {_ratio(h.precision, t.precision)})")
    # what TrackHAR finds that hpa misses: the claim "hpa finds at least what TrackHAR finds" is checked here
    hpa_units = {it.unit for it in hpa_items}
    truth_units = {it.unit for it in truth}
    if hpa_err:
        return 0
    only_th = sorted({it.unit for it in th_items if it.unit in truth_units and it.unit not in hpa_units},
                     key=lambda u: (u.capture, u.entry, u.data_class))
    print(f"found_by_trackhar_not_hpa: {len(only_th)} true units"
          + (": " + ", ".join(f"{u.capture}#{u.entry}:{u.data_class}" for u in only_th[:8]) if only_th else ""))
    return 0


def fmt_num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f}"


if __name__ == "__main__":
    sys.exit(main())
