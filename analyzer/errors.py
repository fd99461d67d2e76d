"""Errors that the CLI turns into one clear line on stderr and exit code 2."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO


class InputError(Exception):
    """A missing, unreadable or malformed input file. `str()` is the one line shown to the user."""

    def __init__(self, path: str | Path | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class CaptureError(Exception):
    """A capture could not run (device gone, proxy died, tool missing); the message says what to do."""


class OneLineWarnings(logging.Handler):
    """Library warnings (scapy's, in its own `WARNING: ...` format on its own stderr handler) as hpa's one-line
    messages: `hpa: warning: scapy: <first line>`, each distinct message once (a hostile pcap can make thousands)."""

    def __init__(self, library: str, stream: TextIO | None = None) -> None:
        super().__init__(level=logging.WARNING)
        self.library = library
        self.stream = stream
        self.seen: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            lines = record.getMessage().strip().splitlines()
        except Exception:  # noqa: BLE001 - a malformed log call must not become a traceback
            lines = [str(record.msg)]
        line = (lines[0] if lines else "")[:300]
        line = line[5:] if line.startswith("more ") else line   # scapy's own "this again" prefix
        self.seen[line] = self.seen.get(line, 0) + 1
        if self.seen[line] == 1:
            print(f"hpa: warning: {self.library}: {line}", file=self.stream or sys.stderr)


def route_library_warnings() -> None:
    """Replace scapy's own stderr handler by OneLineWarnings (scapy installs it when imported, so import it here)."""
    import scapy.error  # noqa: F401 - installs the handler we replace

    log = logging.getLogger("scapy")
    for h in list(log.handlers):
        if not isinstance(h, OneLineWarnings):
            log.removeHandler(h)
    if not log.handlers:
        log.addHandler(OneLineWarnings("scapy"))
    log.propagate = False
