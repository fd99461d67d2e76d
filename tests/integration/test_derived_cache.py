"""hpa's cache of what it rebuilds from its own files at every start (the parsed knowledge base, the compiled report
template): private, checked against what it was made from, and never a reason to fail or to give another result."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.fsutil import CACHE_ENV, cache_dir, read_cached, write_cached
from analyzer.recipients.kb import KB_CACHE

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_and_what_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "c"
    monkeypatch.setenv(CACHE_ENV, str(d))
    write_cached("x", "s1", {"a": [1, 2]})
    assert read_cached("x", "s1") == {"a": [1, 2]}
    assert read_cached("x", "s2") is None                       # made from something else
    assert (d.stat().st_mode & 0o777, (d / "x").stat().st_mode & 0o777) == (0o700, 0o600)
    (d / "x").write_bytes(b"s1\n\x80\x05garbage")               # damaged after its stamp
    assert read_cached("x", "s1") is None
    write_cached("x", "s1", 7)
    os.chmod(d / "x", 0o644)                                    # readable by others: not trusted
    assert read_cached("x", "s1") is None
    os.chmod(d / "x", 0o600)
    os.chmod(d, 0o755)                                          # a folder others may enter: no cache at all
    assert cache_dir() is None and read_cached("x", "s1") is None
    os.chmod(d, 0o700)
    assert read_cached("x", "s1") == 7
    monkeypatch.setenv(CACHE_ENV, "")                           # turned off
    assert cache_dir() is None and read_cached("x", "s1") is None


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))       # below a file: cannot be made
    write_cached("x", "s", 1)
    assert cache_dir() is None and read_cached("x", "s") is None


def _python(code: str, cache: str) -> str:
    env = {**os.environ, CACHE_ENV: cache}
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


KB_DIGEST = """
    import hashlib, pickle
    from analyzer.recipients.kb import all_bundled_entries
    e = all_bundled_entries()
    print(len(e), hashlib.sha256(pickle.dumps(e)).hexdigest())
"""


def test_knowledge_base_from_the_cache_is_the_parsed_one(tmp_path: Path) -> None:
    cache = str(tmp_path / "c")
    parsed = _python(KB_DIGEST, "")
    assert _python(KB_DIGEST, cache) == parsed                  # parsed, and kept
    assert (tmp_path / "c" / KB_CACHE).is_file()
    assert _python(KB_DIGEST, cache) == parsed                  # read back
    # what is read back is what the cache holds (planted under the right stamp), unless the stamp differs
    plant = """
        from analyzer.fsutil import write_cached
        from analyzer.recipients.kb import KB_CACHE, all_bundled_entries, bundled_stamp
        write_cached(KB_CACHE, {stamp}, all_bundled_entries()[:1])
    """
    _python(plant.replace("{stamp}", "bundled_stamp()"), cache)
    assert _python(KB_DIGEST, cache).split()[0] == "1"
    _python(plant.replace("{stamp}", "'made from other files'"), cache)
    assert _python(KB_DIGEST, cache) == parsed


PAGE = """
    import hashlib
    from analyzer.report import report_dict
    from analyzer.report.html import render_html
    from tests.report.test_html import hostile_report
    print(hashlib.sha256(render_html(report_dict(hostile_report())).encode()).hexdigest())
"""


def test_compiled_template_from_the_cache_renders_the_same_page(tmp_path: Path) -> None:
    cache = tmp_path / "c"
    page = _python(PAGE, "")
    assert _python(PAGE, str(cache)) == page
    [entry] = (cache / "templates").iterdir()
    assert _python(PAGE, str(cache)) == page
    whole = entry.read_bytes()
    # damaged in its header (Jinja sees it), then in the code (marshal raises): compiled again, and kept again
    for damaged in (whole[:40] + b"\x00" * 30, whole[: len(whole) // 2]):
        entry.write_bytes(damaged)
        assert _python(PAGE, str(cache)) == page
        assert entry.read_bytes() == whole and entry.stat().st_mode & 0o777 == 0o600
