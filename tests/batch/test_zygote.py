"""The batch's warm parent (`analyzer.batch.zygote`), a real process forking real children: what a child is started
with, its exit status and stderr, its process group killed on a timeout, and no child outliving the batch process
or the zygote itself."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from analyzer.batch.zygote import Zygote

TARGETS = "tests.batch.zygote_targets"


@pytest.fixture
def zygote():
    z = Zygote()
    yield z
    if z.proc.poll() is None:
        z.proc.kill()
    z.proc.wait()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fp:
            return fp.read().split(")")[-1].split()[0] != "Z"      # a zombie is dead, only not yet reaped
    except OSError:
        return False


def _gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def _pids(path: Path, within: float = 30.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) == 2:
            return [int(x) for x in path.read_text().split()]
        time.sleep(0.05)
    raise TimeoutError(path)


def test_a_child_gets_the_requests_environment_cwd_and_stderr(zygote: Zygote, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPA_TEST_ZYGOTE_VALUE", "set after the zygote started")
    monkeypatch.chdir(tmp_path)
    err = tmp_path / "stderr"
    assert zygote.run(f"{TARGETS}:report", ["3", "a", "b"], str(err), timeout=60) == (3, False)
    assert err.read_text().strip() == f"env=set after the zygote started cwd={tmp_path} argv=['a', 'b']"
    assert zygote.run(f"{TARGETS}:report", ["0"], str(err), timeout=60) == (0, False)   # it serves again
    assert zygote.run(f"{TARGETS}:crash", [], str(err), timeout=60) == (-signal.SIGSEGV, False)
    assert zygote.proc.poll() is None


def test_a_timeout_kills_the_childs_whole_group(zygote: Zygote, tmp_path: Path) -> None:
    started = time.monotonic()
    status, timed_out = zygote.run(f"{TARGETS}:hang", [str(tmp_path / "pids")], str(tmp_path / "err"), timeout=3)
    assert timed_out and status == -signal.SIGKILL and time.monotonic() - started < 30
    assert _gone(_pids(tmp_path / "pids"))                  # the child and the grandchild it started


def test_children_die_with_the_batch_process(zygote: Zygote, tmp_path: Path) -> None:
    """The batch process's end closes the zygote's input: the zygote kills its children's groups and exits."""
    t = threading.Thread(target=zygote.run, args=(f"{TARGETS}:hang", [str(tmp_path / "pids")],
                                                  str(tmp_path / "err"), 600), daemon=True)
    t.start()
    pids = _pids(tmp_path / "pids")
    zygote.proc.stdin.close()
    assert zygote.proc.wait(timeout=30) == 0
    assert _gone(pids)


def test_children_die_with_a_killed_zygote_and_a_new_one_takes_over(tmp_path: Path) -> None:
    z = Zygote.get()
    answer: list = []
    t = threading.Thread(target=lambda: answer.append(z.run(f"{TARGETS}:hang", [str(tmp_path / "pids")],
                                                            str(tmp_path / "err"), 600)), daemon=True)
    t.start()
    pids = _pids(tmp_path / "pids")
    os.kill(z.proc.pid, signal.SIGKILL)
    t.join(timeout=30)
    assert answer == [(-signal.SIGKILL, False)]
    assert _gone(pids[:1])                                  # the child, by its parent-death signal
    os.kill(pids[1], signal.SIGKILL)                        # (its own children are the child's to end)
    assert Zygote.get() is not z and Zygote.get().run(f"{TARGETS}:report", ["0"], str(tmp_path / "e"), 60) == (0, False)


def test_only_the_end_of_a_loud_childs_stderr_is_read(zygote: Zygote, tmp_path: Path) -> None:
    from analyzer.batch.task import _tail

    err = tmp_path / "stderr"
    assert zygote.run(f"{TARGETS}:shout", ["3"], str(err), timeout=60) == (1, False)
    assert err.stat().st_size > 3_000_000
    tail = _tail(err)
    assert len(tail) <= 64 * 1024 and tail.splitlines()[-1] == "ValueError: the last line"


def test_stderr_files_of_a_killed_batch_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An app's stderr goes to the temporary folder (a full output disk must not lose the error line); a batch
    killed with SIGKILL cannot remove it, so the next batch process does, once its writer is gone."""
    import subprocess
    import tempfile

    from analyzer.batch import task
    from analyzer.fsutil import temp_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    task._stderr_folder.cache_clear()
    mine = temp_file(tmp_path, "hpa-app-stderr")                   # this process: alive, kept
    dead = subprocess.Popen(["true"])                             # a pid that has ended
    dead.wait()
    stale = tmp_path / mine.name.replace(f"-{os.getpid()}-", f"-{dead.pid}-")
    stale.write_text("Traceback ...")
    other = tmp_path / "someone-elses.tmp"
    other.write_text("")
    assert task._stderr_folder() == str(tmp_path)
    assert mine.exists() and not stale.exists() and other.exists()
    task._stderr_folder.cache_clear()


def test_a_zygote_that_never_forks_is_given_up(tmp_path: Path) -> None:
    """Stuck before the fork (stopped here with SIGSTOP): after the time limit the request gets None (the batch then
    starts the app as a process of its own), the zygote is killed and none is started again in this process."""
    z = Zygote()
    os.kill(z.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        assert z.run(f"{TARGETS}:report", ["0"], str(tmp_path / "err"), timeout=2) is None
        assert 2 <= time.monotonic() - started < 20
        assert z.proc.wait(timeout=10) == -signal.SIGKILL
        assert Zygote.get() is None
    finally:
        Zygote._given_up = False
