"""hpa's benchmarks (`python -m bench`), labeled detection corpus (`bench.quality`) and fuzzers (`python -m bench.fuzz`)."""

from __future__ import annotations

import compileall
import os
from pathlib import Path


def as_installed() -> None:
    """Let the hpa processes a benchmark starts run from compiled bytecode, as an installed hpa does: a shell that
    forbids writing it (PYTHONDONTWRITEBYTECODE) would have every process compile hpa's sources again (~0.05 s a
    start, measured on a batch app), a cost no user pays."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "analyzer", quiet=1)
