"""`hpa batch`: many apps in parallel (local process slots or a Dask cluster), resumable, and a guide over them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..fsutil import private_dir
from .appsfile import AppSpec, read_apps_csv
from .guide import write_guide
from .task import read_result, run_app_isolated


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


def _dask(todo: list[AppSpec], opts: BatchOptions) -> Iterable[dict[str, Any]]:
    """Each worker declares its device slots as the Dask resource `device` (`dask worker --resources device=2`)."""
    from distributed import Client, as_completed as dask_completed

    with Client(opts.scheduler, timeout="30s") as client:
        futures = [client.submit(run_app_isolated, s.to_dict(), str(Path(opts.output).resolve()), opts.timeout,
                                 opts.redact, opts.retries, resources={"device": 1}, pure=False, key=f"hpa-{s.app_id}")
                   for s in todo]
        for f in dask_completed(futures):
            yield f.result()


def run_batch(opts: BatchOptions, console: Console | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """Run every app of apps.csv not already done (with --resume), then write results.csv/.parquet and index.html."""
    console = console or Console(stderr=True)
    apps = read_apps_csv(opts.apps_csv)
    out = private_dir(opts.output)
    todo = [a for a in apps if not (opts.resume and (read_result(out, a.app_id) or {}).get("status") == "done")]
    if len(todo) < len(apps):
        console.print(f"resuming: {len(apps) - len(todo)} app(s) already done")
    runner = _dask if opts.scheduler else _local
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
    index = write_guide(results, out)
    failed = sum(1 for r in results if r.get("status") != "done")
    console.print(f"{len(results) - failed} app(s) done, {failed} failed; guide: {index}")
    return index


__all__ = ["AppSpec", "BatchOptions", "read_apps_csv", "run_batch"]
