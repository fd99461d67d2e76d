"""Files: private, atomic writes (captures hold intimate data, and a crash must never leave half a file), and the one
way a JSON input file is read (every failure an InputError naming the file)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .errors import InputError

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | Path) -> Path:
    """Create `path` and every missing parent 0700 (whatever the umask), and sweep the temp files a killed run left
    in it. A folder that already exists keeps its mode: it may not be ours (`-o /tmp`, a shared results folder),
    and locking other users out of it is not hpa's call. What hpa writes inside is private anyway."""
    p = Path(path)
    missing: list[Path] = []
    q = p
    while not q.is_dir():
        missing.append(q)
        if q.parent == q:
            break
        q = q.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)  # mkdir(parents=True) would make the parents with the umask's mode (0777 under 000)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue  # made by a concurrent run in between: theirs, same mode
        os.chmod(d, DIR_MODE)  # mkdir's mode is masked by the umask; ours must be exactly 0700
    sweep_stale_tmp(p)
    return p


# Temp files name their writer, so a later run can tell a dead writer's leftover (full report content) from a live one.
_HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40] or "host"
_TMP_NAME = re.compile(r"^\..+\.(?:hpa-(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-[^.]*|(?P<jsonl>\d+))\.tmp$")
STALE_TMP_AGE_S = 3600.0   # a temp file from another host (shared folder), or without a host, is stale after an hour


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def is_stale_tmp(path: Path, now: float | None = None) -> bool:
    """A temp file hpa left (its name says so, and it is ours) whose writer is gone: the process is dead on this host,
    or, written elsewhere, it is over an hour old. Anything else in the folder (`-o /tmp`) is never touched."""
    m = _TMP_NAME.match(path.name)
    if not m:
        return False
    try:
        st = path.lstat()
    except OSError:
        return False
    if st.st_uid != os.getuid():
        return False
    if m["pid"] and m["host"] == _HOST:
        return int(m["pid"]) != os.getpid() and not _pid_alive(int(m["pid"]))
    return (now or time.time()) - st.st_mtime > STALE_TMP_AGE_S


def sweep_stale_tmp(folder: str | Path, depth: int = 0, prefix: str = ".") -> int:
    """Remove the stale temp files in `folder` (and `depth` levels of subfolders) whose name starts with `prefix`;
    returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for e in entries:
        try:
            if (e.name.startswith(prefix) and e.name.endswith(".tmp") and e.is_file(follow_symlinks=False)
                    and is_stale_tmp(Path(e.path))):
                os.unlink(e.path)
                removed += 1
            elif depth > 0 and e.is_dir(follow_symlinks=False):
                removed += sweep_stale_tmp(e.path, depth - 1, prefix)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def atomic_write_bytes(path: str | Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write to a temporary file beside `path`, fsync, then rename over it: readers see the old or the new file, never half."""
    p = Path(path)
    if not p.parent.is_dir():
        private_dir(p.parent)
    else:
        sweep_stale_tmp(p.parent, prefix=f".{p.name}.")  # a killed earlier write of this same file
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.hpa-{_HOST}-{os.getpid()}-", suffix=".tmp", dir=p.parent)
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


def temp_file(folder: str | Path, name: str) -> Path:
    """A new empty 0600 file in `folder`, named as this process's temp file: `sweep_stale_tmp(folder,
    prefix=f".{name}.")` removes it once the process is gone (killed before it could)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.hpa-{_HOST}-{os.getpid()}-", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


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


# A run folder that was killed or failed half-way says so with this file (its reason inside), so that tables and
# counts over many runs (`hpa export`) leave it out. Written when a run starts, removed when it finished.
PARTIAL_MARKER = "partial.json"


def mark_partial(folder: str | Path, reason: str) -> None:
    atomic_write_json(Path(folder) / PARTIAL_MARKER, {"partial": True, "reason": reason, "time": time.time()})


def clear_partial(folder: str | Path) -> None:
    try:
        os.unlink(Path(folder) / PARTIAL_MARKER)
    except FileNotFoundError:
        pass


def is_partial(folder: str | Path) -> bool:
    return (Path(folder) / PARTIAL_MARKER).exists()


# -- the cache of derived data: things hpa rebuilds identically from its own files at every start (the parsed
# knowledge base, compiled templates), kept so that each of a batch's thousands of processes does not redo them.
CACHE_ENV = "HPA_CACHE_DIR"      # a folder; set empty to turn the cache off


def cache_dir() -> Path | None:
    """$HPA_CACHE_DIR, else $XDG_CACHE_HOME/hpa or ~/.cache/hpa, created 0700; None when the cache is off or the
    folder is not ours and private: what is read back from it is unpickled or run as bytecode."""
    env = os.environ.get(CACHE_ENV)
    if env == "":
        return None
    try:
        base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hpa"
        private_dir(base)
        st = base.stat()
    except (OSError, RuntimeError):             # RuntimeError: no home folder to be found
        return None
    return base if st.st_uid == os.getuid() and not st.st_mode & 0o077 else None


def stamp_of(files: list[Path], *extra: str) -> str:
    """What a cached result was made from: these files (name, size, mtime), the Python and anything else given."""
    h = hashlib.sha256(repr((sys.version, extra)).encode())
    for f in files:
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def read_cached(name: str, stamp: str) -> Any | None:
    """The object `write_cached` kept under `name` for this stamp, or None (none, stale, damaged or not private)."""
    d = cache_dir()
    if d is None:
        return None
    try:
        with open(d / name, "rb") as fp:
            st = os.fstat(fp.fileno())
            if st.st_uid != os.getuid() or st.st_mode & 0o077 or fp.readline() != stamp.encode() + b"\n":
                return None
            return pickle.load(fp)
    except Exception:       # a damaged entry is rebuilt: unpickling can raise nearly anything
        return None


def write_cached(name: str, stamp: str, obj: Any) -> None:
    """Keep `obj` for the next process (atomically, 0600); a cache that cannot be written is simply not kept."""
    d = cache_dir()
    if d is None:
        return
    try:
        atomic_write_bytes(d / name, stamp.encode() + b"\n" + pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
