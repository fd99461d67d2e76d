"""A warm parent for a batch's apps: it runs one small analysis (imports, data files, compiled patterns and
template), then forks one child per app. Each child is still a process of its own (own session, killed with its
group on a timeout, killed when the zygote dies), but it starts in about a millisecond instead of paying the
interpreter's start and the imports (~0.15 s) that thousands of apps would each pay.

One zygote serves a batch process (or a Dask worker) and all its threads. It is single-threaded, so a fork never
copies a lock another thread holds. The batch process speaks to it in lines of JSON:

    -> {"run": N, "main": "MODULE:FUNCTION", "argv": [...], "stderr": PATH, "env": {...}, "cwd": DIR}
                                                             fork a child that returns FUNCTION(argv) as its exit code
    <- {"started": N, "pid": PID}
    <- {"exited": N, "status": CODE}                                         exit code, or minus the signal

End of input means the batch process is gone: the zygote kills every child's process group and exits.
"""

from __future__ import annotations

import importlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

WARM_CAPTURE = Path(__file__).resolve().parent.parent / "data" / "batch" / "warm.jsonl"


def warm() -> None:
    """Analyze a two-request capture (data/batch/warm.jsonl) and draw its page once, before the first fork: the
    modules, data files, compiled patterns and templates that loads, every child then shares instead of loading."""
    from ..pipeline import AnalyzeOptions, analyze
    from ..report import report_dict
    from ..report.html import render_html

    render_html(report_dict(analyze([WARM_CAPTURE], AnalyzeOptions(app_id="org.hpa.warm"))))


def die_with_parent(parent_pid: int) -> None:
    """A batch killed with SIGKILL cannot stop its apps (each runs in its own session so a timeout can kill its
    group): ask Linux to kill this child when the thread that started it dies, so no orphan writes on after a kill
    and a `--resume` never races an old attempt."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)                        # PR_SET_PDEATHSIG
    except (OSError, AttributeError):                        # not Linux: the timeout still bounds an orphan
        return
    if os.getppid() != parent_pid:                          # the parent died before prctl took effect
        os._exit(1)


def _fork_child(req: dict[str, Any], zygote: int, closing: list[int]) -> None:
    """In the forked child: become a session of its own with the request's stderr and environment, run the app,
    exit. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in closing:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDWR)
        err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        os.close(null)
        os.close(err)
        die_with_parent(zygote)
        os.environ.clear()
        os.environ.update(req["env"])
        os.chdir(req["cwd"])
        module, _, function = req["main"].partition(":")
        code = getattr(importlib.import_module(module), function)(req["argv"])
    except SystemExit as e:
        code = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve() -> None:
    # the answers get a descriptor of their own: whatever an import prints must not reach the batch process
    answers = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    warm()
    me = os.getpid()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)      # only to wake the loop: children are reaped below
    sel = selectors.DefaultSelector()
    sel.register(0, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    children: dict[int, int] = {}                       # pid -> request number
    pending = b""

    def say(msg: dict[str, Any]) -> None:
        data = json.dumps(msg).encode() + b"\n"
        while data:
            data = data[os.write(answers, data):]

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            n = children.pop(pid, None)
            if n is not None:
                say({"exited": n, "status": os.waitstatus_to_exitcode(status)})

    while True:
        for key, _ in sel.select():
            if key.fd == wake_r:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                continue
            data = os.read(0, 1 << 16)
            if not data:                                # the batch process is gone: so are its apps
                for pid in children:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                os._exit(0)
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                req = json.loads(line)
                try:
                    pid = os.fork()
                except OSError:                         # no process to be had: the batch starts this app itself
                    say({"failed": req["run"]})
                    continue
                if pid == 0:
                    _fork_child(req, me, [wake_r, wake_w, sel.fileno(), answers])
                children[pid] = req["run"]
                say({"started": req["run"], "pid": pid})
        reap()


class Zygote:
    """The batch process's side: one zygote per process, shared by its threads. `run` forks a child for one app
    and waits for it; None when the zygote is not there (it could not start, or died): the caller then starts the
    app as a process of its own."""

    _lock = threading.Lock()
    _current: Zygote | None = None
    _given_up = False           # a zygote did not even start an app within its time limit: none again

    def __init__(self) -> None:
        # (runpy warns that the package imported this module first: harmless)
        self.proc = subprocess.Popen([sys.executable, "-W", "ignore::RuntimeWarning:runpy", "-m",
                                      "analyzer.batch.zygote"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._write = threading.Lock()
        self._next = 0
        self._waiting: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self.alive = True
        threading.Thread(target=self._read, name="hpa-zygote", daemon=True).start()

    @classmethod
    def get(cls) -> Zygote | None:
        with cls._lock:
            if cls._given_up:
                return None
            if cls._current is None or not cls._current.alive:
                try:
                    cls._current = cls()
                except OSError:
                    return None
            return cls._current

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                n = msg.get("started", msg.get("exited", msg.get("failed")))
                slot = self._waiting.get(n)
                if slot is not None:
                    slot.update(msg)
                    self._cond.notify_all()
        with self._cond:                                # the zygote died: nobody will answer
            self.alive = False
            self._cond.notify_all()
        self.proc.wait()

    def run(self, main: str, argv: list[str], stderr_path: str, timeout: float) -> tuple[int, bool] | None:
        """(exit status, timed out) of a child running `main` ("module:function") on `argv`; None when the
        zygote could not run it."""
        with self._cond:
            if not self.alive:
                return None
            self._next += 1
            n = self._next
            slot: dict[str, Any] = {}
            self._waiting[n] = slot
        req = {"run": n, "main": main, "argv": argv, "stderr": stderr_path, "env": dict(os.environ),
               "cwd": os.getcwd()}
        try:
            with self._write:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(req).encode() + b"\n")
                self.proc.stdin.flush()
        except (OSError, ValueError):
            with self._cond:
                self._waiting.pop(n, None)
            return None
        deadline = time.monotonic() + timeout
        timed_out = False
        with self._cond:
            try:
                while "exited" not in slot:
                    if "failed" in slot:
                        return None
                    if not self.alive:
                        if "pid" in slot:           # the child dies with the zygote
                            return -signal.SIGKILL, False
                        return None
                    left = deadline - time.monotonic()
                    if left <= 0 and "pid" not in slot:     # stuck before the fork: the app runs without it
                        Zygote._given_up = True
                        self.proc.kill()
                        return None
                    if left <= 0 and not timed_out:
                        timed_out = True
                        _kill_group(slot["pid"])
                    self._cond.wait(timeout=max(0.05, left) if not timed_out else 1.0)
                return slot["status"], timed_out
            finally:
                self._waiting.pop(n, None)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:          # not yet its own session
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    serve()
