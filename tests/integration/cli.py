"""Run `hpa` as a user does: the installed entry point in a subprocess, isolated from the user's own hpa home."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HPA = ROOT / ".venv" / "bin" / "hpa"

# one private home for the whole test session: no tracker overlay or redaction key of the machine's user leaks in
_HOME = tempfile.TemporaryDirectory(prefix="hpa-test-home-")
ENV = {"HPA_HOME": _HOME.name, "HPA_REDACT_KEY": "integration-test-key", "COLUMNS": "160"}


def hpa(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **ENV, **(env or {})}
    return subprocess.run([str(HPA), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=full_env,
                          timeout=timeout)
