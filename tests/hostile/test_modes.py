"""Folder and file modes as a careless user or a hostile local user would meet them: `-o` on an existing shared folder,
umask 000, mitmproxy's settings folder (CA, wireguard.conf), and the temp files a killed run leaves behind.
Each scenario runs in its own process, since the umask is process-wide."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .test_faults import check_private

ROOT = Path(__file__).resolve().parents[2]


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def run_py(code: str, env: dict[str, str] | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    """Python code in a child process started under umask 000."""
    full = "import os\nos.umask(0)\n" + textwrap.dedent(code)
    r = subprocess.run([sys.executable, "-c", full], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                       env={**os.environ, **(env or {})})
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def shared_folder(tmp_path: Path) -> Path:
    """A stand-in for /tmp: an existing folder other users rely on (sticky, world-writable)."""
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, 0o1777)
    return d


def test_private_dir_under_umask_000_makes_every_missing_folder_0700_and_leaves_existing_ones(tmp_path: Path) -> None:
    shared = shared_folder(tmp_path)
    run_py(f"""
        from analyzer.fsutil import private_dir, atomic_write_text
        private_dir({str(shared)!r})
        private_dir({str(shared / "a" / "b" / "c")!r})
        atomic_write_text({str(shared / "x" / "y" / "f.txt")!r}, "secret")
    """)
    assert mode(shared) == 0o1777                                   # not ours to lock: unchanged
    for d in ("a", "a/b", "a/b/c", "x", "x/y"):
        assert mode(shared / d) == 0o700, d                         # intermediate folders too, whatever the umask
    assert mode(shared / "x" / "y" / "f.txt") == 0o600


@pytest.mark.parametrize("cmd", ["capture", "batch", "export"])
def test_dash_o_on_an_existing_shared_folder_keeps_its_mode(cmd: str, tmp_path: Path, hpa_env: dict[str, str]) -> None:
    """`-o /tmp` (here a 1777 stand-in) as capture, batch and export: what hpa makes inside is private, the folder
    itself is left as it was."""
    shared = shared_folder(tmp_path)
    if cmd == "capture":
        args = ["capture", "--simulate", "notes", "-o", str(shared)]
    elif cmd == "batch":
        apps = tmp_path / "apps.csv"
        apps.write_text("app_id,device\norg.hpa.demo.notes,simulate:notes\n")
        args = ["batch", str(apps), "-o", str(shared), "--jobs", "1"]
    else:
        src = tmp_path / "caps"
        r = subprocess.run([sys.executable, "-m", "analyzer.cli", "capture", "--simulate", "notes", "-o", str(src)],
                           capture_output=True, text=True, timeout=240, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        args = ["export", str(src), "--format", "csv", "-o", str(shared)]
    run_py(f"""
        import sys
        from analyzer.cli import main
        sys.argv = ["hpa", *{args!r}]
        try:
            main()
        except SystemExit as e:
            assert not e.code, e.code
    """, env=hpa_env, timeout=400)
    assert mode(shared) == 0o1777
    made = [p for p in shared.iterdir()]
    assert made
    for p in made:
        check_private(p) if p.is_dir() else None
        assert mode(p) == (0o700 if p.is_dir() else 0o600), p


def test_mitmproxy_settings_folder_under_umask_000(tmp_path: Path) -> None:
    """The CA the device will trust, its key and the WireGuard keys: nobody else may read the keys or swap a file."""
    conf = tmp_path / "home" / ".mitmproxy"
    run_py(f"""
        from pathlib import Path
        from analyzer.capture.proxy import ProxyConfig, RunningProxy
        for mode in ("regular", "wireguard"):
            p = RunningProxy(ProxyConfig(out_dir=Path({str(tmp_path / "run")!r}) / mode, confdir=Path({str(conf)!r}),
                                         mode=mode, sinkhole=True)).start()
            p.stop()
    """)
    assert mode(conf) == 0o700 and mode(conf.parent) == 0o700
    files = {p.name: mode(p) for p in conf.iterdir()}
    assert files["wireguard.conf"] == 0o600
    assert files["mitmproxy-ca.pem"] == 0o600
    assert "mitmproxy-ca-cert.pem" in files
    assert all(m & 0o022 == 0 for m in files.values()), files       # nothing writable by group or others
    json.loads((conf / "wireguard.conf").read_text())                # still mitmproxy's own file, intact


def test_existing_loose_settings_folder_is_tightened(tmp_path: Path) -> None:
    conf = tmp_path / "mitm"
    conf.mkdir()
    os.chmod(conf, 0o777)
    (conf / "wireguard.conf").write_text("{}")
    os.chmod(conf / "wireguard.conf", 0o666)
    from analyzer.capture.confdir import secure_confdir, secure_confdir_files
    secure_confdir(conf)
    secure_confdir_files(conf)
    assert mode(conf) == 0o700 and mode(conf / "wireguard.conf") == 0o600


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_temp_files_of_a_killed_run_are_swept_at_the_next_run(tmp_path: Path, rich_capture: Path) -> None:
    """A kill between write and rename leaves `.report.json.<...>.tmp` with the whole report: the next write into
    that folder removes it. A live writer's temp file, and files hpa did not make, stay."""
    from analyzer import fsutil

    out = tmp_path / "out"
    out.mkdir()
    host = fsutil._HOST  # noqa: SLF001 - the name format is the contract under test
    dead = out / f".report.json.hpa-{host}-{_dead_pid()}-abc123.tmp"
    live = out / f".report.json.hpa-{host}-{os.getppid()}-def456.tmp"
    other_host = out / f".report.json.hpa-elsewhere-{_dead_pid()}-zz.tmp"
    foreign = out / ".someone-elses.tmp"
    for p in (dead, live, other_host, foreign):
        p.write_text('{"email": "someone@example.org"}')
    r = subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(rich_capture), "--format", "json",
                        "-o", str(out / "report.json")], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert not dead.exists()
    assert live.exists() and other_host.exists() and foreign.exists()
    old = 2 * fsutil.STALE_TMP_AGE_S
    os.utime(other_host, (other_host.stat().st_atime - old, other_host.stat().st_mtime - old))
    os.utime(foreign, (foreign.stat().st_atime - old, foreign.stat().st_mtime - old))
    assert fsutil.sweep_stale_tmp(out) == 1                          # another host's, an hour old
    assert not other_host.exists() and foreign.exists()             # never a file hpa did not name
    assert socket.gethostname()


def test_the_next_capture_of_an_app_sweeps_what_a_killed_run_left(tmp_path: Path, hpa_env: dict[str, str]) -> None:
    from analyzer import fsutil
    from analyzer.capture import CaptureOptions, run_capture

    old_run = tmp_path / "caps" / "org.hpa.demo.notes" / "20260101T000000Z-dead00"
    old_run.mkdir(parents=True)
    left = old_run / f".report.json.hpa-{fsutil._HOST}-{_dead_pid()}-x1.tmp"  # noqa: SLF001 - the name format
    left.write_text('{"schema": "hpa.report/1"}')
    run_capture(CaptureOptions(simulate="notes", output=str(tmp_path / "caps")))
    assert not left.exists()
