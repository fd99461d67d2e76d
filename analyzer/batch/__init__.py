"""`hpa batch`: many apps in parallel (local process slots or a Dask cluster), resumable, and a guide over them."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..errors import InputError
from ..fsutil import private_dir
from .appsfile import AppSpec, check_files, read_apps_csv
from .cluster import dask_env, dask_settings
from .inputs import inputs_of, missing_on_this_host
from .task import failed_result, read_result, run_app_isolated

if TYPE_CHECKING:
    from rich.console import Console


@dataclass
class BatchOptions:
    apps_csv: str
    jobs: int = 2
    scheduler: str | None = None      # tcp://HOST:PORT of a Dask scheduler
    output: str = "captures"
    resume: bool = False
    timeout: float = 600.0
    redact: bool = False
    retries: int = 1


def _local(todo: list[AppSpec], opts: BatchOptions) -> Iterable[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = [pool.submit(run_app_isolated, s.to_dict(), opts.output, opts.timeout, opts.redact, opts.retries)
                   for s in todo]
        for f in as_completed(futures):
            yield f.result()


def _dask_client(todo: list[AppSpec], opts: BatchOptions) -> Any:
    """A client of the scheduler, once every check passed (before any progress is drawn, so an error is one line)."""
    import dask
    from distributed import Client

    dask.config.set(dask_settings())     # this client's own event loop polls less, as the cluster's should (README)
    out = str(Path(opts.output).resolve())
    try:
        client = Client(opts.scheduler, timeout="30s")
    except (OSError, ValueError) as e:
        raise InputError(opts.scheduler, f"cannot reach the Dask scheduler ({e})") from None
    try:
        workers = client.scheduler_info().get("workers", {}).values()
        if not any((w.get("resources") or {}).get("device", 0) >= 1 for w in workers):
            # tasks would wait forever for a device slot
            raise InputError(opts.scheduler, "no Dask worker declares a device slot; start workers with "
                                             "`dask worker SCHEDULER --resources device=N`")
        _check_workers(client, opts.scheduler or "", todo, out)
    except BaseException:
        client.close()
        raise
    return client


def _dask(todo: list[AppSpec], opts: BatchOptions, client: Any) -> Iterable[dict[str, Any]]:
    """Each worker declares its device slots as the Dask resource `device` (`dask worker --resources device=2`)."""
    from distributed import as_completed as dask_completed

    out = str(Path(opts.output).resolve())
    with client:
        run = uuid.uuid4().hex[:8]      # keys unique per batch: two batches sharing a cluster never share a task
        futures = [client.submit(run_app_isolated, s.to_dict(), out, opts.timeout, opts.redact, opts.retries,
                                 resources={"device": 1}, pure=False, key=f"hpa-{s.app_id}-{run}")
                   for s in todo]
        specs = {f.key: s for f, s in zip(futures, todo)}
        for f in dask_completed(futures):
            try:
                yield f.result()
            except Exception as e:  # the worker died under it (KilledWorker...): record it, go on with the others
                yield failed_result(specs[f.key], out, f"{type(e).__name__}: {e}", opts.retries + 1)


def _check_workers(client: Any, address: str, todo: list[AppSpec], out: str) -> None:
    """Every worker must read the inputs and write the output folder (shared storage): one line naming what is
    missing, before any app is sent."""
    answers = client.run(missing_on_this_host, inputs_of(todo), out)
    problems = [p for found in answers.values() for p in found]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError(address, "a worker cannot reach the batch's files (they must be on storage "
                                                   "shared with the workers): " + "; ".join(problems[:3]) + more)


def _check_scheduler(address: str) -> None:
    """Fail fast, before any app starts, when the address is malformed or nothing listens there (Dask itself
    would retry for 30 s and then raise)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme != "tcp":
        return                                  # tls://, ucx://...: left to Dask
    if not host or not port:
        raise InputError(address, "not a Dask scheduler address like tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as e:
        raise InputError(address, f"no Dask scheduler answers there ({e.strerror or e})") from None


def _prepare_capture_ca(apps: list[AppSpec]) -> None:
    """Create the capture CA once, before apps run side by side: parallel proxies starting on a fresh machine would
    each generate their own CA into the shared confdir, and an app would then distrust its proxy's certificates."""
    if all(a.plan != "device" for a in apps):
        return
    from mitmproxy.certs import CertStore
    from mitmproxy.options import CONF_BASENAME

    from ..capture.run import mitm_confdir

    CertStore.from_store(mitm_confdir(), CONF_BASENAME, 2048)   # 2048: mitmproxy's default key_size


@dataclass(frozen=True)
class BatchResult:
    index: Path          # the guide
    done: int
    failed: int

    @property
    def exit_code(self) -> int:
        """0 when every app succeeded, 1 when some failed (their rows say why)."""
        return 1 if self.failed else 0


def run_batch(opts: BatchOptions, console: Console | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> BatchResult:
    """Run every app of apps.csv not already done (with --resume), then write results.csv/.parquet and index.html."""
    # rich only here: each app's child process imports this package too (`python -m analyzer.batch.task`)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    apps = read_apps_csv(opts.apps_csv)
    out = private_dir(opts.output)
    todo = [a for a in apps if not (opts.resume and (read_result(out, a.app_id) or {}).get("status") == "done")]
    if len(todo) < len(apps):
        console.print(f"resuming: {len(apps) - len(todo)} app(s) already done")
    check_files(todo, opts.apps_csv)
    if todo and opts.scheduler:
        _check_scheduler(opts.scheduler)
    if todo:
        _prepare_capture_ca(todo)
    client = _dask_client(todo, opts) if todo and opts.scheduler else None
    runner = (lambda t, o: _dask(t, o, client)) if client is not None else _local
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("apps", total=len(todo))
        for result in runner(todo, opts):
            status = result.get("verdict") or f"failed: {result.get('error')}"
            progress.console.print(f"  {result['app_id']}: {status}")
            progress.advance(task)
            if on_result:
                on_result(result)
    results = [read_result(out, a.app_id) or {"app_id": a.app_id, "name": a.name, "category": a.category,
                                               "status": "missing"} for a in apps]
    from .guide import write_guide       # pandas: loaded here, not by every app's process importing this package

    index = write_guide(results, out)
    failed = sum(1 for r in results if r.get("status") != "done")
    console.print(f"{len(results) - failed} app(s) done, {failed} failed; guide: {index}")
    return BatchResult(index=index, done=len(results) - failed, failed=failed)


__all__ = ["AppSpec", "BatchOptions", "BatchResult", "dask_env", "dask_settings", "read_apps_csv", "run_batch"]
