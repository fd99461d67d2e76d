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
