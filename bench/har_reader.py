"""The HAR reader alone: MB/s and peak memory of `open_capture(x.har)` iterated to the end, nothing else.

    python -m bench.har_reader [--mb 100] [--quick]

The HAR is written by mitmproxy's own exporter (`mitmproxy.addons.savehar`) from mitmproxy flows carrying SDK-like
bodies (JSON, form, gzip-compressed JSON, protobuf-like binary), then its entries are repeated up to the size asked.
Each measure runs in a child process (its own peak RSS). Before the rewrite of issue 15 (commit a8d0738: ijson behind
a per-string Python filter) the same command printed the figure kept in OLD below.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
OLD_COMMIT = "a8d0738"          # the last commit with the old reader (ijson behind a per-string Python filter)
OLD_FIGURE = 9.3                # MB/s it read this HAR at, 2026-12-05, when git cannot give its code back


def sample_flows() -> list:
    from mitmproxy.test import tflow

    bodies = [
        ("application/json", None, json.dumps({"events": [{"name": "screen_view", "ts": i, "mood": "anxious",
                                                           "adid": "38400000-8cf0-11bd-b23e-10b96e40000d"}
                                                          for i in range(20)]}).encode()),
        ("application/x-www-form-urlencoded", None, b"app_id=org.example&advertiser_id=abc&event=CUSTOM_APP_EVENTS"),
        ("application/json", "gzip", gzip.compress(json.dumps({"batch": list(range(300))}).encode())),
        ("application/x-protobuf", None, bytes(range(256)) * 3),
        ("application/octet-stream", "gzip", gzip.compress(bytes(range(256)) * 8)),
    ]
    flows = []
    for i, (ctype, enc, body) in enumerate(bodies * 4):
        f = tflow.tflow(resp=True)
        f.request.host = f"sdk{i % 7}.example.com"
        f.request.method = "POST"
        f.request.path = f"/v1/collect?i={i}"
        f.request.headers["content-type"] = ctype
        if enc:
            f.request.headers["content-encoding"] = enc
        f.request.raw_content = body
        flows.append(f)
    return flows


def write_har(path: Path, mb: int) -> int:
    from mitmproxy.addons.savehar import SaveHar

    entries = SaveHar().make_har(sample_flows())["log"]["entries"]
    texts = [json.dumps(e, indent=4) for e in entries]
    n = 0
    with open(path, "w", encoding="ascii") as f:
        f.write('{\n    "log": {\n        "version": "1.2",\n        "creator": {"name": "mitmproxy", "version": "12.3.1",'
                ' "comment": ""},\n        "pages": [],\n        "entries": [\n')
        while f.tell() < mb << 20:
            f.write(("," if n else "") + texts[n % len(texts)])
            n += 1
        f.write("\n        ]\n    }\n}\n")
    return n


def measure(path: Path) -> dict:
    """In this process: read the HAR to the end with hpa's reader."""
    from analyzer.traffic import open_capture

    t0 = time.perf_counter()
    src = open_capture(path)
    n = sum(1 for _ in src)
    secs = time.perf_counter() - t0
    return {"flows": n, "secs": secs, "skipped": src.stats.skipped,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10}


def old_reader() -> Path | None:
    """The analyzer package as it was at OLD_COMMIT (git archive), to measure the reader before and after."""
    dest = OUT / f"reader-{OLD_COMMIT}"
    if (dest / "analyzer").is_dir():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).parent.parent
    try:
        arch = subprocess.run(["git", "archive", OLD_COMMIT, "analyzer"], cwd=root, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=arch.stdout, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return dest


def child(path: Path, code: Path | None = None) -> dict:
    env = dict(os.environ)
    root = Path(__file__).parent.parent
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (code, root) if p)
    out = subprocess.run([sys.executable, "-m", "bench.har_reader", "--child", str(path)], capture_output=True,
                         text=True, check=True, cwd=code or root, env=env)
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", type=Path)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    mb = 10 if args.quick or os.environ.get("HPA_BENCH_QUICK") else args.mb
    OUT.mkdir(exist_ok=True)
    path = OUT / f"reader-{mb}mb.har"
    if not path.exists():
        write_har(path, mb)
    size = path.stat().st_size / 1e6
    r = child(path)
    print(f"har_reader: {size / r['secs']:.1f} MB/s, {r['flows'] / r['secs']:.0f} entries/s, peak RSS "
          f"{r['maxrss_mb']} MiB on a {size:.0f} MB mitmproxy-exported HAR ({r['flows']} entries)")
    code = old_reader()
    o = None
    if code is not None:
        (code / "bench").mkdir(exist_ok=True)
        for f in ("__init__.py", "har_reader.py"):
            (code / "bench" / f).write_bytes((Path(__file__).parent / f).read_bytes())
        try:
            o = child(path, code)
        except subprocess.CalledProcessError:       # e.g. ijson, which the old reader needed, is not installed
            o = None
    if o is None:
        print(f"har_reader_before: {OLD_FIGURE} MB/s (recorded 2026-12-05; the reader of {OLD_COMMIT} could not run)")
    else:
        print(f"har_reader_before: {size / o['secs']:.1f} MB/s, peak RSS {o['maxrss_mb']} MiB, the reader of "
              f"{OLD_COMMIT} on the same file ({o['flows']} entries): now {o['secs'] / r['secs']:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
