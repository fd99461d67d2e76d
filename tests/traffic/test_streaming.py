"""Readers stream: memory stays flat however large the file (tracemalloc peak, not time)."""

from __future__ import annotations

import base64
import json
import os
import tracemalloc
from pathlib import Path

from analyzer.model import Flow
from analyzer.traffic import JsonlWriter, open_capture

ENTRIES = 3000
BODY = 8192


def peak_while_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        n = sum(1 for _ in open_capture(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return n, peak


def test_har_is_streamed(tmp_path: Path) -> None:
    p = tmp_path / "big.har"
    body = base64.b64encode(os.urandom(BODY)).decode()
    with open(p, "w") as fp:               # written entry by entry, as an exporter would
        fp.write('{"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [')
        for i in range(ENTRIES):
            e = {"request": {"method": "POST", "url": f"https://h{i}.example/p",
                             "postData": {"mimeType": "application/octet-stream", "encoding": "base64", "text": body}}}
            fp.write(("," if i else "") + json.dumps(e))
        fp.write("]}}")
    assert p.stat().st_size > 30_000_000
    n, peak = peak_while_reading(p)
    assert n == ENTRIES
    assert peak < 3_000_000, peak


def test_jsonl_is_streamed(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    with JsonlWriter(p) as w:
        for i in range(ENTRIES):
            w.write(Flow(id=str(i), host="h.example", request_body=os.urandom(BODY)))
    n, peak = peak_while_reading(p)
    assert n == ENTRIES and p.stat().st_size > 30_000_000
    assert peak < 3_000_000, peak
