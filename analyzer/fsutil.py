"""Private, atomic file writes: captures hold intimate data, and a crash must never leave half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | Path) -> Path:
    """Create `path` (and parents) readable by the user only."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(p, DIR_MODE)
    return p


def atomic_write_bytes(path: str | Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write to a temporary file beside `path`, fsync, then rename over it: readers see the old or the new file, never half."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return p


def atomic_write_text(path: str | Path, text: str, mode: int = FILE_MODE) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_json(path: str | Path, obj: Any, mode: int = FILE_MODE) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n", mode)
