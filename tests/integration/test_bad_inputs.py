"""Bad inputs to `hpa analyze`: exit 2 with exactly one line on stderr naming the file, never a traceback; a partly
corrupt capture is analyzed as far as it reads, with what was skipped counted."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Callable

import pytest

from .conftest import Capture, hpa


def png() -> bytes:
    """A valid 1x1 PNG: a real file of another kind, not random bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def assert_one_line_error(r, name: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("hpa: error: ") and name in lines[0], lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""


# each case: (file name, how to make it (None: leave it missing), extra args given the path, the capture is the dump)
def _persona_bad(p: Path) -> None:
    p.write_text('{"schema": "hpa.persona/1", "advertising_id": ')


def _persona_wrong(p: Path) -> None:
    p.write_text(json.dumps({"schema": "hpa.persona/1", "lat": "north", "lon": 2.35}))


def _ds_bad(p: Path) -> None:
    p.write_text("{'no_data_shared': True}")


def _ds_wrong(p: Path) -> None:
    p.write_text(json.dumps({"schema": "hpa.data_safety/1", "data_types": "health"}))


SIDE_FILES: list[tuple[str, str, Callable[[Path], None] | None]] = [
    ("--known-values", "persona.json", _persona_bad),
    ("--known-values", "persona.json", _persona_wrong),
    ("--known-values", "persona.json", None),
    ("--data-safety", "ds.json", _ds_bad),
    ("--data-safety", "ds.json", _ds_wrong),
    ("--data-safety", "ds.png", lambda p: p.write_bytes(png())),
    ("--policy", "policy.md", None),
    ("--policy", "policy.md", lambda p: p.write_text("")),
]


@pytest.mark.parametrize("make", ["missing", "empty", "png", "folder"])
def test_bad_capture_file(make: str, tmp_path: Path) -> None:
    p = tmp_path / f"capture-{make}"
    if make == "empty":
        p.write_bytes(b"")
    elif make == "png":
        p.write_bytes(png())
    elif make == "folder":
        p.mkdir()                              # a folder with no capture in it
    assert_one_line_error(hpa("analyze", p, "--format", "json"), p.name)


@pytest.mark.parametrize("option,name,make", SIDE_FILES,
                         ids=[f"{o[2:]}-{m.__name__ if m else 'missing'}" for o, _, m in SIDE_FILES])
def test_bad_side_file(option: str, name: str, make: Callable[[Path], None] | None, capture: Capture,
                       tmp_path: Path) -> None:
    p = tmp_path / name
    if make:
        make(p)
    assert_one_line_error(hpa("analyze", capture.dump, option, p, "--format", "json"), name)


def test_one_bad_file_among_good_ones_stops_before_any_output(capture: Capture, tmp_path: Path) -> None:
    bad = tmp_path / "second.har"
    bad.write_bytes(png())
    out = tmp_path / "r.json"
    assert_one_line_error(hpa("analyze", capture.dump, bad, "-f", "json", "-o", out), "second.har")
    assert not out.exists()


def test_unwritable_output_is_one_line(capture: Capture, tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    assert_one_line_error(hpa("analyze", capture.dump, "-f", "json", "-o", tmp_path / "adir"), "adir")


@pytest.mark.parametrize("which", ["dump", "har"])
def test_truncated_capture_is_read_as_far_as_it_goes(which: str, capture: Capture, tmp_path: Path) -> None:
    src = capture.dump if which == "dump" else capture.har
    data = src.read_bytes()
    cut = tmp_path / f"cut.{which}"
    cut.write_bytes(data[: int(len(data) * 0.6)])     # ends in the middle of a record
    r = hpa("analyze", cut, "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    inp = rep["input"]
    assert inp["records_skipped"] > 0 and sum(inp["skipped"].values()) == inp["records_skipped"]
    assert 0 < inp["flows_read"] < 4
    assert inp["files"][0]["skipped"] == inp["skipped"]
    assert rep["schema"] == "hpa.report/1" and rep["label"]["verdict"]
