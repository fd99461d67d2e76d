"""One app of a batch: static -> capture -> analyze -> report, in its own process so it can be timed out and killed.

`run_app_isolated` is what schedulers call (locally or on a Dask worker): it runs `app_main` in a child process (a
fork of the process's warm zygote, or `python -m analyzer.batch.task`), waits up to the time limit, kills the whole
process group on expiry, and returns the app's result row. The child writes `<out>/<app_id>/result.json`
atomically, last, so a result file only ever describes a finished attempt.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Iterator

from ..capture.meta import app_folder_name
from ..fsutil import atomic_write_json, clear_partial, mark_partial, private_dir, sweep_stale_tmp, temp_file
from .appsfile import AppSpec
from .zygote import Zygote, die_with_parent

RESULT = "result.json"
LOCK = ".batch.lock"
INPUT_ERROR_EXIT = 2        # the child's exit code for a bad input (not retried)


def app_dir(out: str | Path, app_id: str) -> Path:
    """The app's folder: the same one its capture runs go to (a long or unicode id gets a short hashed name)."""
    return Path(out) / app_folder_name(app_id)


def read_result(out: str | Path, app_id: str) -> dict[str, Any] | None:
    try:
        return json.loads((app_dir(out, app_id) / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """The guide's columns, from an hpa.report/1 dict."""
    third = [df for df in report.get("data_flows", []) if df["recipient"]["party"] in ("third", "unknown")]
    companies = sorted({c.get("entity") or c["domain"] for c in report.get("contacts", []) if c["party"] in ("third", "unknown")})
    health = sorted({f"{df['data_type'].split('.')[-1]}→{df['recipient'].get('entity') or df['recipient']['domain']}"
                     for df in third if df["data_type"].startswith("health_fitness.")})
    broken = [r["summary"] for r in report.get("label", {}).get("reasons", [])
              if r["rule"] == "broken_promise" or "broken_promise" in (r.get("also") or [])]
    label = report.get("label") or {}
    return {
        "verdict": label.get("verdict"),
        "reasons": [r["rule"] for r in label.get("reasons", [])],
        "reason_summaries": [r["summary"] for r in label.get("reasons", [])][:8],
        "companies": companies,
        "health_shared": health,
        "broken_promises": broken,
        "data_flows": len(report.get("data_flows", [])),
        "third_party_data_flows": len(third),
        "flows": (report.get("coverage") or {}).get("http_flows", 0),
        "simulated": bool((report.get("coverage") or {}).get("simulated")),
    }


def _capture(spec: AppSpec, out: Path) -> Path:
    from ..capture import CaptureOptions, run_capture
    from ..errors import CaptureError

    kind, arg = spec.device_kind
    opts = CaptureOptions(apk=spec.apk, output=str(out), known_values=spec.known_values, app_id=spec.app_id)
    if kind == "simulate":
        opts.simulate = arg or "demo-basic"
    elif kind == "serial":
        opts.device = arg
    elif kind == "avd":
        opts.avd = arg
    else:
        raise CaptureError(f"{spec.app_id}: device {spec.device!r} cannot run in a batch; record it with "
                           "`hpa capture --manual` and list the capture in the capture column")
    return run_capture(opts, keep_partial=True)         # partial until this app's result is written


def run_app(spec: AppSpec, out: str | Path, redact: bool = False, attempt: int = 1) -> dict[str, Any]:
    """Do the whole job for one app in this process; returns the result row (also written to result.json).
    The run folder stays marked partial until result.json is written, so a kill anywhere leaves it marked."""
    from ..pipeline import AnalyzeOptions, analyze
    from ..report import report_dict, write_capture_reports

    from .inputs import analysis_dir, expand_captures

    out = Path(out)
    adir = private_dir(app_dir(out, spec.app_id))
    started = time.time()
    if spec.apk:
        from ..static import scan_apk     # androguard: only for an app with an APK

        atomic_write_json(adir / "static.json", scan_apk(spec.apk))
    # a row runs what it has: captures made elsewhere are analyzed as they are, an APK alone gets a static report
    run_dir = _capture(spec, out) if spec.plan == "device" else analysis_dir(out, spec.app_id)
    inputs = [str(run_dir)] if spec.plan == "device" else expand_captures(spec.captures)
    report = analyze(inputs, AnalyzeOptions(
        app_id=spec.app_id, app_name=spec.name, policy=spec.policy, data_safety=spec.data_safety, apk=spec.apk,
        first_party_domains=spec.first_party_domains,
        known_values=None if spec.plan == "device" else spec.known_values))  # a capture's persona holds them
    write_capture_reports(report, run_dir, redact=redact)
    result = {"app_id": spec.app_id, "name": spec.name, "category": spec.category, "status": "done", "error": None,
              "run_dir": str(run_dir.relative_to(out)), "report_html": str((run_dir / "report.html").relative_to(out)),
              "report_json": str((run_dir / "report.json").relative_to(out)),
              "started": started, "duration_s": round(time.time() - started, 2), "attempts": attempt}
    result.update(summarize(report_dict(report, redact)))
    atomic_write_json(adir / RESULT, result)
    clear_partial(run_dir)
    return result


def _latest_run(out: Path, app_id: str) -> Path | None:
    runs = [p for p in app_dir(out, app_id).glob("*/") if p.is_dir()]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None


def failed_result(spec: AppSpec, out: str | Path, error: str, attempts: int) -> dict[str, Any]:
    out = Path(out)
    partial = _latest_run(out, spec.app_id)
    if partial is not None:
        mark_partial(partial, f"the batch gave up on this app: {error}")
    result = {"app_id": spec.app_id, "name": spec.name, "category": spec.category, "status": "failed",
              "error": error, "attempts": attempts, "verdict": None,
              "partial_capture": str(partial.relative_to(out)) if partial else None}
    private_dir(app_dir(out, spec.app_id))
    atomic_write_json(app_dir(out, spec.app_id) / RESULT, result)
    return result


def _signal_name(n: int) -> str:
    try:
        return signal.Signals(n).name
    except ValueError:
        return f"signal {n}"


def run_app_isolated(spec_dict: dict[str, Any], out: str, timeout: float, redact: bool = False,
                     retries: int = 1) -> dict[str, Any]:
    """Run one app in a child process with a time limit; retried once, then recorded as failed with its error.
    While it runs the app's folder is locked: a second batch on the same output folder waits for it and takes its
    result instead of running the app again."""
    spec = AppSpec(**spec_dict)
    asked = time.time()
    with app_lock(private_dir(app_dir(out, spec.app_id))) as waited:
        done = read_result(out, spec.app_id) if waited else None
        if done and done.get("status") == "done" and _result_time(out, spec.app_id) >= asked:
            return done                                      # the other batch ran it while we waited
        return _attempts(spec, spec_dict, out, timeout, redact, retries)


def _result_time(out: str | Path, app_id: str) -> float:
    try:
        return (app_dir(out, app_id) / RESULT).stat().st_mtime
    except OSError:
        return 0.0


@contextmanager
def app_lock(adir: Path, poll_s: float = 0.5) -> Iterator[bool]:
    """An exclusive lock on an app's folder for as long as one batch works on it; yields whether it had to wait.
    flock: released by the kernel when the holder dies, so a killed batch never leaves the app locked."""
    fd = os.open(adir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    waited = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = True
                time.sleep(poll_s)               # the holder is bounded by its own time limit
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield waited
    finally:
        os.close(fd)                             # releases the lock


def _attempts(spec: AppSpec, spec_dict: dict[str, Any], out: str, timeout: float, redact: bool,
              retries: int) -> dict[str, Any]:
    error = "not run"
    for attempt in range(1, retries + 2):
        status, err, timed_out = run_child([json.dumps(spec_dict), out, "1" if redact else "0"], attempt, timeout)
        if timed_out:
            error = f"timed out after {timeout:g} s"
            continue
        if status == 0:
            result = read_result(out, spec.app_id)
            if result and result.get("status") == "done":
                result["attempts"] = attempt
                return result
            error = "finished without a result"
        elif status < 0:                                     # killed by a signal: no error line of its own
            error = f"crashed: killed by {_signal_name(-status)}"
        else:
            lines = [ln for ln in err.splitlines() if ln.strip() and "Warning:" not in ln]
            error = lines[-1][:500] if lines else f"exited with code {status}"
            if status == INPUT_ERROR_EXIT:                   # a bad input fails the same way twice: no retry
                return failed_result(spec, out, error, attempt)
    return failed_result(spec, out, error, retries + 1)


ZYGOTE_ENV = "HPA_BATCH_ZYGOTE"     # "0": every app starts a fresh interpreter (`python -m analyzer.batch.task`)


def _tail(path: Path, size: int = 64 * 1024) -> str:
    """The end of a child's stderr, where its error line is: an app that wrote gigabytes there costs no memory."""
    with open(path, "rb") as fp:
        fp.seek(max(0, fp.seek(0, os.SEEK_END) - size))
        return fp.read().decode("utf-8", "replace")


@cache
def _stderr_folder() -> str:
    """The temporary folder, once swept of the stderr files of batches killed before they could remove them."""
    folder = tempfile.gettempdir()
    sweep_stale_tmp(folder, prefix=".hpa-app-stderr.")
    return folder


def run_child(args: list[str], attempt: int, timeout: float) -> tuple[int, str, bool]:
    """Run `app_main` on an app's arguments in a process of its own, its group killed after `timeout` s: (exit
    status or minus the signal, the end of its stderr, timed out). Forked from the batch's warm parent (`zygote`)
    unless HPA_BATCH_ZYGOTE=0 or the zygote is not there: then `python -m analyzer.batch.task`."""
    # in the temporary folder, not the output one: on a full output disk the error line must still be kept
    errf = temp_file(_stderr_folder(), "hpa-app-stderr")
    try:
        zygote = Zygote.get() if os.environ.get(ZYGOTE_ENV, "1") != "0" else None
        # no parent pid: the zygote's fork already tied the child to the zygote's life (die_with_parent)
        answer = None if zygote is None else zygote.run(
            "analyzer.batch.task:app_main", [*args, "", str(attempt)], str(errf), timeout)
        if answer is None:
            answer = _run_fresh(args + [str(os.getpid()), str(attempt)], errf, timeout)
        status, timed_out = answer
        return status, _tail(errf), timed_out
    finally:
        errf.unlink(missing_ok=True)


def _run_fresh(argv: list[str], errf: Path, timeout: float) -> tuple[int, bool]:
    # (runpy warns that the package imported this module first: harmless, and it would hide the real error line)
    cmd = [sys.executable, "-W", "ignore::RuntimeWarning:runpy", "-m", "analyzer.batch.task", *argv]
    with open(errf, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        return proc.wait(timeout=timeout), False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return -signal.SIGKILL, True


# -- test hook (tests/hostile): HPA_TEST_FAULT="FAULT[:APP_ID][,...]" injects a fault into this child, right after
# the capture ran (so a partial capture exists): hang | crash | enospc | proxy_died | device_gone. Read here only;
# without the variable nothing changes. A real proxy death or unplugged device needs a device backend to test.
FAULT_ENV = "HPA_TEST_FAULT"


def _injected_fault(app_id: str) -> str | None:
    for item in os.environ.get(FAULT_ENV, "").split(","):
        fault, _, target = item.strip().partition(":")
        if fault and (not target or target == app_id):
            return fault
    return None


def _arm_fault(fault: str) -> None:
    import errno

    from ..errors import CaptureError

    real_capture = globals()["_capture"]

    def faulty_capture(spec: AppSpec, out: Path) -> Path:
        run_dir = real_capture(spec, out)
        if fault == "hang":
            time.sleep(24 * 3600)
        elif fault == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif fault == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(run_dir / "report.json"))
        elif fault == "proxy_died":
            raise CaptureError("the proxy died mid-capture (injected fault)")
        elif fault == "device_gone":
            raise CaptureError("the device disappeared mid-capture (injected fault)")
        return run_dir

    globals()["_capture"] = faulty_capture


def app_main(argv: list[str]) -> int:
    spec = AppSpec(**json.loads(argv[0]))
    if len(argv) > 3 and argv[3]:               # a fresh process: the batch that started it is its parent
        die_with_parent(int(argv[3]))
    fault = _injected_fault(spec.app_id)
    if fault:
        _arm_fault(fault)
    from ..errors import InputError

    try:
        run_app(spec, argv[1], redact=argv[2] == "1", attempt=int(argv[4]) if len(argv) > 4 else 1)
    except InputError as e:
        print(f"InputError: {e}", file=sys.stderr)
        return INPUT_ERROR_EXIT
    except Exception as e:  # the parent records the last line; the traceback stays in the child's stderr
        traceback.print_exc()
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(app_main(sys.argv[1:]))
