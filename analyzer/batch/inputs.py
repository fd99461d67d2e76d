"""What a batch row reads and where its report goes when no device runs: captures made elsewhere, or an APK alone.

Also the start-up check of a distributed batch: every worker must see the inputs and write the output folder
(shared storage), or every app would fail on its own, one after the other."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from ..fsutil import private_dir
from .appsfile import AppSpec, input_paths


def analysis_dir(out: str | Path, app_id: str) -> Path:
    """The run folder of an analysis without a capture of ours: `<out>/<app_id>/analysis-<UTC time>/`."""
    return private_dir(Path(out) / app_id / time.strftime("analysis-%Y%m%dT%H%M%SZ", time.gmtime()))


def expand_captures(paths: list[str]) -> list[str]:
    """The files to analyze: an hpa capture folder is read as one capture; any other folder stands for the
    capture files in it (HAR, mitmproxy dumps, JSONL, pcap; by name order), whatever their format by content."""
    from ..traffic.source import CAPTURE_DIR_FILES, CAPTURE_PCAP

    out: list[str] = []
    for p in map(Path, paths):
        if p.is_dir() and not any((p / n).exists() for n in (*CAPTURE_DIR_FILES, CAPTURE_PCAP, "meta.json")):
            out += [str(f) for f in sorted(p.iterdir()) if f.is_file() and not f.name.startswith(".")]
        else:
            out.append(str(p))
    return out


def missing_on_this_host(paths: list[str], out: str) -> list[str]:
    """Run on each worker: the inputs it cannot read and the output folder if it cannot write there."""
    host = socket.gethostname()
    problems = [f"{host}: cannot read {p}" for p in paths if not os.access(p, os.R_OK)]
    o = Path(out)
    while not o.exists() and o.parent != o:              # the batch creates it: its nearest existing parent counts
        o = o.parent
    if not os.access(o, os.W_OK | os.X_OK):
        problems.append(f"{host}: cannot write the output folder {out}")
    return problems


def inputs_of(apps: list[AppSpec]) -> list[str]:
    return sorted({p for a in apps for _, p in input_paths(a)})
