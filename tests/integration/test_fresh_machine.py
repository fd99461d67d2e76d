"""`make test` on a machine without the Debian packages: a test that needs a missing tool is skipped with one line
naming it, the others still run and still fail for their own reasons. Checked by running pytest with PATH stripped
of the tool (a folder of links to every other program)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .cli import ROOT

DEXDUMP_TEST = "tests/static/test_dex_and_hosts.py::test_scan_dex_agrees_with_dexdump"


def path_without(tmp: Path, *tools: str) -> str:
    """A PATH holding every program of ours except `tools`."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or not Path(d).is_dir():
            continue
        for exe in Path(d).iterdir():
            link = bin_dir / exe.name
            if exe.name not in tools and not link.exists() and os.access(exe, os.X_OK):
                link.symlink_to(exe)
    return str(bin_dir)


def pytest_run(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"PATH": path} if path else {})}
    return subprocess.run([sys.executable, "-m", "pytest", "-rs", "-p", "no:randomly", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_test_needing_a_missing_tool_is_skipped_with_its_reason(tmp_path: Path) -> None:
    r = pytest_run(DEXDUMP_TEST, path=path_without(tmp_path, "dexdump"))
    assert "1 skipped" in r.stdout and "failed" not in r.stdout, r.stdout[-2000:]
    [line] = [ln for ln in r.stdout.splitlines() if ln.startswith("SKIPPED")]
    assert "needs dexdump (Debian package dexdump, not installed here" in line
    if shutil.which("dexdump"):
        control = pytest_run(DEXDUMP_TEST)
        assert "1 passed" in control.stdout, control.stdout[-2000:]     # with the tool, the test runs


def test_other_failures_stay_failures(tmp_path: Path) -> None:
    tests = tmp_path / "test_generated.py"
    tests.write_text(
        "import subprocess\n"
        "def test_calls_missing_listed_tool():\n"
        "    subprocess.run(['aapt', 'version'], check=True)\n"
        "def test_fails_about_the_tool_for_another_reason():\n"
        "    assert False, 'aapt gave a wrong answer'\n"
        "def test_calls_a_tool_not_in_the_list():\n"
        "    subprocess.run(['hpa-no-such-tool'], check=True)\n"
        "def test_script_says_what_it_misses():\n"
        "    assert False, 'build.py: needs Debian packages (missing: smali, aapt)'\n", encoding="utf-8")
    r = pytest_run(str(tests), "-p", "tests.conftest", "--rootdir", str(tmp_path),
                   path=path_without(tmp_path, "aapt", "smali"))
    assert "2 failed" in r.stdout and "2 skipped" in r.stdout, r.stdout[-3000:]
    assert "needs aapt (Debian package aapt" in r.stdout
    assert "needs smali, aapt (Debian package(s) libsmali-java, aapt" in r.stdout


def test_doctor_names_what_is_missing_and_how_to_install_it(tmp_path: Path) -> None:
    import json

    from .cli import HPA, ENV

    env = {**os.environ, **ENV, "PATH": path_without(tmp_path, "adb", "dumpcap", "aapt")}
    r = subprocess.run([str(HPA), "doctor", "--format", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert checks["simulate"]["ok"] and checks["manual (proxy)"]["ok"]
    assert not checks["device"]["ok"] and checks["device"]["fix"] == "apt-get install adb"
    assert not checks["aapt"]["ok"] and checks["aapt"]["fix"] == "apt-get install aapt"
    assert "dumpcap missing" in checks["packet capture"]["detail"]
    full = json.loads(subprocess.run([str(HPA), "doctor", "--format", "json"], env={**os.environ, **ENV},
                                     capture_output=True, text=True, timeout=60).stdout)
    assert {c["name"]: c["ok"] for c in full["checks"]}["device"] == bool(shutil.which("adb"))
