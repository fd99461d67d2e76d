"""Several cores for one analysis: decoding and detection, the costly part, run in worker processes, each folding
its share into its own `Accumulator`, merged here in file order. hpa JSONL (alone, or a capture folder's
flows.jsonl) is split into byte ranges that the workers read themselves; a HAR's entries are found here by the
json module's C scanner and sent as their JSON text, which the workers parse again and turn into flows (sending
text costs less than sending parsed flows); other formats are read here and sent as flows, in chunks."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .aggregate import Accumulator
from .decode import Limits
from .detect import Detector
from .model import Flow
from .recipients import Recipients
from .traffic.har import entries_to_flows
from .traffic.jsonl import iter_jsonl_range, jsonl_ranges
from .traffic.source import CaptureSource
from .traffic.stats import ReadStats

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

CHUNK = 2000
# `--jobs 0` (the CLI's default) uses several cores from this size on (a 2.1 MB HAR of 1,300 requests took 0.62 s
# with two workers, 0.68 s in one process), for HAR and hpa JSONL; a zlib .zhar is read here and its flows sent in
# chunks, which still pays (20k requests: 2.85-2.91 s with two, 4.23-4.31 s with one)
AUTO_MIN_BYTES = 2 << 20
AUTO_MAX_JOBS = 8                # each worker holds its own caches (~50-120 MB): more only when asked (--jobs N)
HAR_BATCH = 500                  # HAR entries per task: small enough to keep both cores busy to the end
_worker_acc: Accumulator | None = None


def _worker_init(recipients: Recipients, detector: Detector, limits: Limits) -> None:
    global _worker_acc
    _worker_acc = Accumulator(recipients, detector, limits)


def _empty_part() -> Accumulator:
    assert _worker_acc is not None
    return Accumulator(_worker_acc.recipients, _worker_acc.detector, _worker_acc.limits)


def _worker_fold(flows: list[Flow]) -> Accumulator:
    part = _empty_part()
    for flow in flows:
        part.add(flow)
    return part


def _worker_fold_range(path: str, start: int, end: int) -> tuple[Accumulator, int, dict[str, int]]:
    part = _empty_part()
    skipped: dict[str, int] = {}
    n = 0
    for flow in iter_jsonl_range(path, start, end, skipped):
        flow.source = flow.source or path
        part.add(flow)
        n += 1
    return part, n, skipped


def _worker_fold_entries(prefix: str, source: str, entries: list[tuple[int, object, str]]
                         ) -> tuple[Accumulator, ReadStats]:
    part, stats = _empty_part(), ReadStats()
    for flow in entries_to_flows(entries, stats, prefix, source):
        stats.flows += 1
        part.add(flow)
    return part, stats


def _chunks(flows: Iterable[Flow], size: int) -> Iterable[list[Flow]]:
    chunk: list[Flow] = []
    for f in flows:
        chunk.append(f)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def auto_jobs(src: CaptureSource) -> int:
    """Processes for `--jobs 0`: for a HAR or hpa JSONL capture (or a capture folder of one flows.jsonl) of
    AUTO_MIN_BYTES or more, the usable cores, at most one per AUTO_MIN_BYTES of capture and AUTO_MAX_JOBS; else 1
    (so a small capture starts as fast as ever)."""
    size = src.size()
    if not (src.format == "har" or src.jsonl_file() is not None) or size < AUTO_MIN_BYTES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))     # the cores this process may use (containers, taskset)
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_MAX_JOBS, max(2, size // AUTO_MIN_BYTES)))


def _pool(acc: Accumulator, jobs: int) -> "ProcessPoolExecutor":
    import multiprocessing as mp     # loaded only when workers start
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers inherit the loaded data files instead of loading them again
    return ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_worker_init,
                               initargs=(acc.recipients, acc.detector, acc.limits))


def fold_parallel(src: CaptureSource, acc: Accumulator, jobs: int) -> None:
    """Fold every flow of `src` into `acc` on `jobs` cores. hpa JSONL splits on line boundaries, so each worker
    reads its own byte range; other formats are read here and sent in chunks, at most 2 per worker in flight, so
    memory stays flat whatever the capture's size."""
    jsonl = src.jsonl_file()
    if jsonl is not None:
        _fold_jsonl_ranges(src, jsonl, acc, jobs)
        return
    batches = src.entry_batches(HAR_BATCH)
    if batches is not None:
        _fold_har_batches(src, batches, acc, jobs)
        return
    from concurrent import futures

    with _pool(acc, jobs) as pool:
        pending: set[Future[Accumulator]] = set()
        for chunk in _chunks(src, CHUNK):
            pending.add(pool.submit(_worker_fold, chunk))
            if len(pending) >= 2 * jobs:
                done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for f in done:
                    acc.merge(f.result())
        for f in pending:
            acc.merge(f.result())


def _fold_har_batches(src: CaptureSource, batches: Iterator[tuple[str, list[tuple[int, object, str]]]],
                      acc: Accumulator, jobs: int) -> None:
    """Entries parsed here (only to find where each ends) are sent as their JSON text; parts merge in file order,
    so the report is the one a single process makes."""
    source = str(src.path)
    with _pool(acc, jobs) as pool:
        pending: deque[Future[tuple[Accumulator, ReadStats]]] = deque()
        for prefix, batch in batches:
            pending.append(pool.submit(_worker_fold_entries, prefix, source, batch))
            if len(pending) > 2 * jobs:
                _merge_entries(src, acc, pending.popleft())
        while pending:
            _merge_entries(src, acc, pending.popleft())
    src.finish_split(src.path, "har")


def _merge_entries(src: CaptureSource, acc: Accumulator, future: Future[tuple[Accumulator, ReadStats]]) -> None:
    part, stats = future.result()
    acc.merge(part)
    src.account_part(stats)


def _fold_jsonl_ranges(src: CaptureSource, path: Path, acc: Accumulator, jobs: int) -> None:
    src.begin_split()
    with _pool(acc, jobs) as pool:
        futures = [pool.submit(_worker_fold_range, str(path), a, b) for a, b in jsonl_ranges(path, jobs * 8)]
        for f in futures:
            part, n, skipped = f.result()
            acc.merge(part)
            src.account_part(ReadStats(flows=n, skipped=skipped))
    src.finish_split(path, "jsonl")
