"""Files: private, atomic writes (captures hold intimate data, and a crash must never leave half a file), and the one
way a JSON input file is read (every failure an InputError naming the file)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError

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


def read_text_input(path: str | Path, what: str) -> str:
    """The UTF-8 text of an input file (`what` names it in messages); every failure an InputError naming the file."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, f"is a folder, not a {what} file") from None
    except OSError as e:
        raise InputError(p, f"cannot read {what} ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise InputError(p, f"cannot read {what}: not UTF-8 text") from None


def parse_json_input(text: str, path: str | Path, what: str) -> Any:
    """`text` parsed as JSON; invalid or too deeply nested JSON is an InputError naming the file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(Path(path), f"{what} is not valid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise InputError(Path(path), f"{what}: JSON nested too deep") from None


def read_json_input(path: str | Path, what: str) -> Any:
    """The parsed JSON of an input file (`what` names it in messages: "persona", "capture metadata"...).
    A missing, unreadable, non-UTF-8, invalid or too deeply nested file is an InputError, never a traceback."""
    return parse_json_input(read_text_input(path, what), path, what)
