"""Errors that the CLI turns into one clear line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A missing, unreadable or malformed input file. `str()` is the one line shown to the user."""

    def __init__(self, path: str | Path | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class CaptureError(Exception):
    """A capture could not run (device gone, proxy died, tool missing); the message says what to do."""
