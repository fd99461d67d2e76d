"""Peers the benchmarks compare hpa with are installed by the bench itself, from the registries, never by the
tests. A peer that cannot be installed is reported as such, not skipped silently."""

from __future__ import annotations

import os
import shutil
import subprocess


def ensure_debian(binary: str, package: str) -> tuple[str | None, str]:
    """(path of `binary`, "") once present, installing Debian's `package` with apt-get when root; else (None, why)."""
    found = shutil.which(binary)
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, f"NOT INSTALLED ({binary} missing; apt-get install {package} needs root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["apt-get failed"])[-1]
        return None, f"NOT INSTALLED (apt-get install {package}: {last[:160]})"
    found = shutil.which(binary)
    return (found, "") if found else (None, f"NOT INSTALLED ({package} installed no {binary})")
