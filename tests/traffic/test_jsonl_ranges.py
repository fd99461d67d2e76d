"""hpa JSONL read by several processes: byte ranges that start on line starts cover every record exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.model import Flow
from analyzer.traffic.jsonl import JsonlWriter, iter_jsonl, iter_jsonl_range, jsonl_ranges


def write_capture(path: Path, n: int) -> None:
    with JsonlWriter(path) as w:
        for i in range(n):
            # bodies of varied length, so that cut points land inside records
            w.write(Flow(id=f"f{i}", host=f"h{i % 7}.example", method="POST", scheme="https", port=443,
                         path="/e", request_body=b"x" * (i * 37 % 500)))
    with open(path, "ab") as fp:
        fp.write(b'{"not a flow"\n')                # one corrupt line, to be counted once


@pytest.mark.parametrize("parts", [1, 2, 3, 16, 400])
def test_ranges_cover_each_record_once(tmp_path: Path, parts: int) -> None:
    path = tmp_path / "flows.jsonl"
    write_capture(path, 150)
    ranges = jsonl_ranges(path, parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
    assert all(a < b for a, b in ranges) and all(b == c for (_, b), (c, _) in zip(ranges, ranges[1:]))
    whole_skipped: dict[str, int] = {}
    with open(path, "rb") as fp:
        whole = [f.id for f in iter_jsonl(fp, whole_skipped)]
    skipped: dict[str, int] = {}
    split = [f.id for a, b in ranges for f in iter_jsonl_range(path, a, b, skipped)]
    assert split == whole and len(whole) == 150
    assert skipped == whole_skipped == {"bad_json_line": 1}
