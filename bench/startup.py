"""Start-up: wall time of whole `hpa` processes on tiny inputs, and what their imports cost.

    python -m bench.startup [--runs 7]

Each command runs --runs times as its own process (`.venv/bin/hpa ...`, output to /dev/null); the median wall
time is printed against the issue-21 target (<= 0.35 s). The tiny inputs are written here: a 10-request HAR (by
mitmproxy's own HAR exporter, `savehar`), the demo APK of Quiet Notes, a short policy. Then
`python -X importtime` of `hpa analyze` on the HAR gives the heaviest imports, and which heavy libraries
(mitmproxy, pandas, pyarrow, plotly, dask, androguard, scapy, tldextract, requests, pydantic) each command loaded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import as_installed

ROOT = Path(__file__).resolve().parent.parent
HPA = ROOT / ".venv" / "bin" / "hpa"
PY = ROOT / ".venv" / "bin" / "python"
TARGET_S = 0.35
HEAVY = ("mitmproxy", "pandas", "pyarrow", "plotly", "dask", "distributed", "androguard", "scapy", "tldextract",
         "requests", "pydantic", "jinja2", "trafilatura", "frida")


def tiny_har(path: Path) -> None:
    """10 requests written by mitmproxy's savehar exporter (the tool users export HARs with); an e-mail address in
    each, so its check (the public suffix list) is part of the start."""
    code = r"""
import json, sys
from mitmproxy.test import tflow
from mitmproxy.addons.savehar import SaveHar
flows = []
for i in range(10):
    f = tflow.tflow(resp=True)
    f.request.host = "graph.facebook.com"
    f.request.path = "/v16.0/123/activities?advertiser_id=38400000-8cf0-11bd-b23e-10b96e40000d"
    f.request.path += f"&em=ana%40flo.health&n={i}"
    f.request.content = b'{"event":"cycle_logged","mood":"anxious"}'
    flows.append(f)
har = SaveHar().make_har(flows)
open(sys.argv[1], "w").write(json.dumps(har))
"""
    subprocess.run([str(PY), "-c", code, str(path)], check=True, cwd=ROOT)


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[1:3])}: exit {r.returncode}: {r.stderr.decode()[-200:]}")
    return statistics.median(times)


def loaded(args: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Heavy libraries a command imported (the largest cumulative µs of any of their modules, which is about
    what loading them cost), and its 8 costliest top-level imports (cumulative µs)."""
    code = ("import sys; sys.argv = ['hpa'] + sys.argv[1:]\n"
            "from analyzer.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n")
    r = subprocess.run([str(PY), "-X", "importtime", "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    names: dict[str, int] = {}
    top = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cum, name = (x.strip() for x in line.split("|"))
        if not cum.isdigit():
            continue
        root = name.strip().split(".")[0]
        if root in HEAVY:
            names[root] = max(names.get(root, 0), int(cum))
        if not line.split("|")[2].startswith("  "):        # a top-level import of the command
            top.append((int(cum), name.strip()))
    return names, sorted(top, reverse=True)[:8]


def main() -> int:
    as_installed()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3 if os.environ.get("HPA_BENCH_QUICK") == "1" else 7)
    args = ap.parse_args()
    if not HPA.exists():
        print(f"startup: SKIPPED ({HPA} missing: make venv)")
        return 0
    with tempfile.TemporaryDirectory(prefix="hpa-startup-") as tmp:
        har = Path(tmp) / "tiny.har"
        tiny_har(har)
        policy = Path(tmp) / "policy.md"
        policy.write_text("# Privacy\n\nWe share your cycle data with Meta for advertising. We never sell your data.\n")
        commands = {
            "--version": ["--version"],
            "analyze (10-request HAR)": ["analyze", str(har), "-f", "json"],
            "analyze --format table": ["analyze", str(har)],
            "static (demo APK)": ["static", str(ROOT / "demo" / "apks" / "notes.apk"), "-f", "json"],
            "policy (short text)": ["policy", str(policy), "-f", "json"],
            "trackers show": ["trackers", "show", "braze.com", "-f", "json"],
        }
        for label, cmd in commands.items():
            secs = wall([str(HPA), *cmd], args.runs)
            heavy, _ = loaded(cmd)
            ok = "met" if secs <= TARGET_S else "MISSED"
            print(f"startup[{label}]: {secs:.3f} s median of {args.runs} (target <= {TARGET_S} s: {ok}); "
                  f"heavy imports: {', '.join(f'{k} {v / 1000:.1f} ms' for k, v in sorted(heavy.items())) or 'none'}")
        _, top = loaded(commands["analyze (10-request HAR)"])
    print("startup importtime, hpa analyze (10-request HAR), costliest top-level imports: " +
          ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
