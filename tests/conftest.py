"""The suite on a fresh machine without the Debian packages (`make test` installs them only when it can): a test
that fails because a tool of `.ci/debian-packages.txt` is missing here is reported as skipped, with one line naming
the tool and its package. Only that: the tool must really be absent, and the failure must say it was not found."""

from __future__ import annotations

import ctypes.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / ".ci" / "debian-packages.txt"
# how a missing program or library shows in an error (Python's exec, a shell, scapy without libpcap)
_NOT_FOUND = re.compile(r"No such file or directory: '([^']+)'|(?:^|\s)([\w.+-]+): (?:command )?not found|"
                        r"(lib\w+) is not available", re.M)
_MISSING_LIST = re.compile(r"missing: ([\w.+-]+(?:, [\w.+-]+)*)")      # a script's own check (tools/apks/build.py)


def debian_tools() -> dict[str, str]:
    """Command (or `lib:NAME`) -> the Debian package that provides it."""
    out: dict[str, str] = {}
    for line in PACKAGES.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            for probe in parts[1].split(","):
                if not probe.startswith("file:"):
                    out[probe] = parts[0]
    return out


def _absent(tool: str) -> bool:
    if tool.startswith("lib:"):
        return ctypes.util.find_library(tool[4:]) is None
    return shutil.which(tool) is None


def _texts(exc: BaseException) -> list[str]:
    """The error and what it carries (a failed command's output), through its causes."""
    out, seen = [], set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append(str(e))
        if isinstance(e, OSError) and e.filename:
            out.append(f"No such file or directory: '{e.filename}'" if isinstance(e, FileNotFoundError) else "")
        if isinstance(e, subprocess.CalledProcessError):
            out += [x.decode(errors="replace") if isinstance(x, bytes) else str(x or "") for x in (e.stdout, e.stderr)]
        e = e.__cause__ or e.__context__
    return out


def missing_tool(exc: BaseException) -> str | None:
    """'needs dexdump (Debian package dexdump, not installed here)' when `exc` comes from a listed tool being absent."""
    tools = debian_tools()
    for text in _texts(exc):
        for m in _MISSING_LIST.finditer(text):
            absent = [t for t in m.group(1).split(", ") if t in tools and _absent(t)]
            if absent:
                pkgs = ", ".join(dict.fromkeys(tools[t] for t in absent))
                return (f"needs {', '.join(absent)} (Debian package(s) {pkgs}, not installed here; `make test` as "
                        "root installs them)")
        for m in _NOT_FOUND.finditer(text):
            name = Path(m.group(1) or m.group(2) or "").name
            key = f"lib:{m.group(3)[3:]}" if m.group(3) else name
            if key in tools and _absent(key):
                what = m.group(3) or name
                return f"needs {what} (Debian package {tools[key]}, not installed here; `make test` as root installs it)"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and call.excinfo is not None:
        why = missing_tool(call.excinfo.value)
        if why:
            rep.outcome = "skipped"
            rep.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"Skipped: {why}")
