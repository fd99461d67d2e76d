"""Several cores for one analysis: decoding and detection, the costly part, run in worker processes, each folding
its share into its own `Accumulator`, merged here in file order. hpa JSONL is split into byte ranges; a HAR is read
by every worker from its start up to the end of its span of entries (reading is about a quarter of the work, and
sending parsed flows between processes cost more than reading them again); other formats are read here and sent
in chunks."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
import contextlib
import io
from typing import Iterable

from .aggregate import Accumulator
from .decode import Limits
from .detect import Detector
from .model import Flow
from .recipients import Recipients
from .traffic.jsonl import iter_jsonl_range, jsonl_ranges
from .traffic.source import CaptureSource
from .traffic.stats import ReadStats

CHUNK = 2000
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


def _worker_fold_span(path: str, start: int, end: int | None) -> tuple[Accumulator, ReadStats | None]:
    """Fold flows number start..end-1 of a capture read from its beginning; the last span (end None) reads to the
    end and returns the read stats, the others stop early and stay quiet (the last one reports the records)."""
    part = _empty_part()
    src = CaptureSource(path)
    quiet = contextlib.redirect_stderr(io.StringIO()) if end is not None else contextlib.nullcontext()
    with quiet:
        for i, flow in enumerate(src):
            if end is not None and i >= end:
                break
            if i >= start:
                part.add(flow)
    return part, (src.stats if end is None else None)


def _har_entries(path: str) -> int:
    """About how many entries a HAR holds: its "startedDateTime" keys (inside a JSON string the quotes would be
    escaped, so only keys count; pages have one too). Only the balance between workers depends on it."""
    n, tail = 0, b""
    with open(path, "rb") as fp:
        while chunk := fp.read(1 << 22):
            n += (tail + chunk).count(b'"startedDateTime"')
            tail = chunk[-17:]
    return n


def _chunks(flows: Iterable[Flow], size: int) -> Iterable[list[Flow]]:
    chunk: list[Flow] = []
    for f in flows:
        chunk.append(f)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool(acc: Accumulator, jobs: int) -> ProcessPoolExecutor:
    # fork: the workers inherit the loaded data files instead of loading them again
    return ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_worker_init,
                               initargs=(acc.recipients, acc.detector, acc.limits))


def fold_parallel(src: CaptureSource, acc: Accumulator, jobs: int) -> None:
    """Fold every flow of `src` into `acc` on `jobs` cores. hpa JSONL splits on line boundaries, so each worker
    reads its own byte range; other formats are read here and sent in chunks, at most 2 per worker in flight, so
    memory stays flat whatever the capture's size."""
    if src.format == "jsonl":
        _fold_jsonl_ranges(src, acc, jobs)
        return
    if src.format == "har":
        # contiguous spans merged in file order: the report is the one a single process makes
        n = _har_entries(str(src.path))
        cuts = [k * n // jobs for k in range(jobs)] + [None]
        with _pool(acc, jobs) as pool:
            futures = [pool.submit(_worker_fold_span, str(src.path), cuts[k], cuts[k + 1]) for k in range(jobs)]
            for f in futures:
                part, stats = f.result()
                acc.merge(part)
                if stats is not None:
                    src.stats = stats
        return
    with _pool(acc, jobs) as pool:
        pending: set[Future[Accumulator]] = set()
        for chunk in _chunks(src, CHUNK):
            pending.add(pool.submit(_worker_fold, chunk))
            if len(pending) >= 2 * jobs:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    acc.merge(f.result())
        for f in pending:
            acc.merge(f.result())


def _fold_jsonl_ranges(src: CaptureSource, acc: Accumulator, jobs: int) -> None:
    with _pool(acc, jobs) as pool:
        futures = [pool.submit(_worker_fold_range, str(src.path), a, b) for a, b in jsonl_ranges(src.path, jobs * 8)]
        for f in futures:
            part, n, skipped = f.result()
            acc.merge(part)
            src.stats.flows += n
            for reason, k in skipped.items():
                src.stats.skipped[reason] = src.stats.skipped.get(reason, 0) + k
