"""Entry points the zygote tests fork children into (`module:function`, called with the request's argv)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def report(argv: list[str]) -> int:
    """Says on stderr what it was started with; exits with argv[0]."""
    print(f"env={os.environ.get('HPA_TEST_ZYGOTE_VALUE')} cwd={os.getcwd()} argv={argv[1:]}", file=sys.stderr)
    return int(argv[0])


def hang(argv: list[str]) -> int:
    """Starts a grandchild in its own process group, writes both pids to argv[0], then waits forever."""
    kid = subprocess.Popen(["sleep", "600"])
    Path(argv[0]).write_text(f"{os.getpid()} {kid.pid}")
    time.sleep(600)
    return 0


def crash(argv: list[str]) -> int:
    os.kill(os.getpid(), signal.SIGSEGV)
    return 0


def shout(argv: list[str]) -> int:
    """Writes argv[0] MB to stderr, then one error line, and fails."""
    chunk = "x" * 1023 + "\n"
    for _ in range(int(argv[0]) * 1024):
        sys.stderr.write(chunk)
    print("ValueError: the last line", file=sys.stderr)
    return 1
