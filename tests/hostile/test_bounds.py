"""Bounded resources: bombs, a huge body, deep nesting and a recursive protobuf, each through the whole analysis in a
child process; peak RSS stays under 1 GiB and the bound is reported (report.input.bounds_hit / skip reasons).
`python -m bench.fuzz --big` runs the same cases with a 1 GiB body."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import fuzz

GIB_KB = 1 << 20
BIG = 200 << 20            # the body size here (1 GiB in bench/fuzz.py --big)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fuzz.bounded_cases(tmp_path_factory.mktemp("bounds"), BIG)


def case(cases: dict[str, Path], start: str) -> Path:
    return next(p for name, p in cases.items() if name.startswith(start))


def run(path: Path, **options: str) -> dict:
    r = fuzz.analyze_in_child([path], options, timeout=110)
    assert "crashed" not in r, r.get("stderr")
    assert r["maxrss_kb"] < GIB_KB, f"peak RSS {r['maxrss_kb'] >> 10} MiB"
    return r


@pytest.mark.parametrize("kind", ["gzip", "brotli"])
def test_decompression_bomb_in_a_body(kind: str, cases: dict[str, Path]) -> None:
    r = run(case(cases, kind))
    assert r["flows_read"] == 2                          # the bomb did not stop the rest of the capture
    assert r["bounds_hit"].get("max_decoded_bytes", 0) >= 1
    assert ["personal_info.email", "example.org"] in r["data_flows"]


def test_json_nested_100000_deep(cases: dict[str, Path]) -> None:
    r = run(case(cases, "JSON nested"))
    assert r["bounds_hit"].get("max_depth", 0) >= 1 and r["flows_read"] == 2


def test_recursive_protobuf(cases: dict[str, Path]) -> None:
    r = run(case(cases, "recursive protobuf"))
    assert r["bounds_hit"].get("max_depth", 0) >= 1 and r["flows_read"] == 2


def test_huge_body_in_jsonl(cases: dict[str, Path]) -> None:
    r = run(case(cases, "JSONL body"))
    assert r["skipped"] == {"jsonl_line_too_long": 1}      # the record is skipped and counted...
    assert r["flows_read"] == 1                            # ...and the next one still read
    assert r["data_flows"]


def test_huge_body_in_har(cases: dict[str, Path]) -> None:
    """The body string is cut while parsing (traffic/capped_json.py): bounded memory, and a linear time."""
    r = run(case(cases, "HAR body"))
    assert r["skipped"].get("har_string_truncated") == 1
    assert r["flows_read"] == 1


def test_zip_bomb_apk(cases: dict[str, Path]) -> None:
    r = run(case(cases, "JSON nested"), apk=str(fuzz.APK_FIXTURES / "bomb.apk"))
    assert "zip bomb" in r["input_error"]                  # one clear line, exit 2 from the CLI


def test_capped_strings_keep_json_valid() -> None:
    """The filter that bounds HAR strings never breaks the JSON: escapes and UTF-8 characters are cut whole."""
    import io
    import json
    import random

    from analyzer.traffic.capped_json import CappedStrings

    rng = random.Random(5)

    class Chunky(io.RawIOBase):
        def __init__(self, data: bytes):
            self.buf = io.BytesIO(data)

        def read(self, n: int = -1) -> bytes:
            return self.buf.read(rng.randint(1, 7))

    for _ in range(3000):
        text = "".join(rng.choice(["x", "\\", '"', "é", "\n", "\U0001F600", "\u0001", "€"]) for _ in range(rng.randint(0, 40)))
        raw = json.dumps({"a": text, "b": ["q" * rng.randint(0, 30)]}, ensure_ascii=rng.random() < 0.5).encode()
        cap = rng.randint(1, 50)
        c = CappedStrings(Chunky(raw), cap)
        out = b"".join(iter(lambda: c.read(5), b""))
        d = json.loads(out)
        if c.truncated == 0:
            assert out == raw
        else:
            assert len(d["a"].encode("utf-8", "surrogatepass")) <= cap + 4 and d["b"][0] == "q" * len(d["b"][0])


def test_largest_jsonl_body_still_parsed(tmp_path: Path) -> None:
    """A body just under the JSONL line cap is read (and its decoding bounded), all under 1 GiB."""
    from analyzer.traffic.jsonl import MAX_LINE

    body = (MAX_LINE * 3 // 4) - (2 << 20)             # base64 makes 4 bytes of 3
    r = run(fuzz.write_big_jsonl(tmp_path / "edge.jsonl", body))
    assert r["skipped"] == {} and r["flows_read"] == 2
    assert r["bounds_hit"].get("max_decoded_bytes", 0) >= 1
