"""Captured content is attacker-controlled: in the HTML report it is inert text (checked in real headless Chromium),
and nothing captured reaches a shell or a file path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.model import Flow
from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.report import emit_report
from analyzer.traffic import JsonlWriter
from bench.fuzz import PERSONA
from tests.report.chromium import CHROMIUM, render

from .conftest import write_persona

MARK = "document.body.dataset.pwned=1"
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'"><img src="https://evil.example/x.png" onerror="{MARK}">',
    f"javascript:{MARK}",
    f"'><svg onload={MARK}>",
    f"</textarea></script><iframe src=javascript:{MARK}>",
]


def hostile_flows(shell_marker: Path) -> list[Flow]:
    email, adid = PERSONA["email"], PERSONA["advertising_id"]
    touch = f"$(touch {shell_marker})`touch {shell_marker}`;touch {shell_marker}"
    flows = []
    for i, p in enumerate(PAYLOADS):
        flows.append(Flow(
            id=f"x{i}", host=f"{p}.evil.example" if i % 2 else "evil.example", method="POST",
            path=f"/{p}/{touch}", query=f"email={email}&q={p}&adid={adid}&cb={touch}", time=1.7e9 + i,
            request_headers=[("Content-Type", "application/json"), (p, p), (f"X-{touch}", touch),
                             ("Referer", p)],
            request_body=json.dumps({"email": email, p: p, "note": p, "cmd": touch, "gaid": adid}).encode()))
    flows.append(Flow(id="y", host="javascript:alert(1)//", path="/", query=f"email={email}", time=1.7e9 + 9))
    return flows


@pytest.fixture
def hostile_capture(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "shell-ran"
    path = tmp_path / "hostile.jsonl"
    with JsonlWriter(path) as w:
        for f in hostile_flows(marker):
            w.write(f)
    return path, marker


@pytest.mark.skipif(CHROMIUM is None, reason="needs the Debian chromium package")
def test_payloads_are_inert_text_in_chromium(hostile_capture: tuple[Path, Path], tmp_path: Path) -> None:
    capture, marker = hostile_capture
    report = analyze([capture], AnalyzeOptions(known_values=str(write_persona(tmp_path / "persona.json"))))
    as_json = json.dumps(report.to_dict())
    assert "<script>" in as_json and "onerror=" in as_json and "javascript:" in as_json   # they did reach the report
    out = tmp_path / "report.html"
    emit_report(report, "html", out)
    html = out.read_text(encoding="utf-8")
    assert "<script>document" not in html and "<img src=\"https://evil" not in html
    dom, urls = render(out)
    assert "</html>" in dom.lower()                  # Chromium did render the page
    assert "pwned" in dom                            # the payload text is shown...
    assert "data-pwned" not in dom                   # ...and never ran
    assert 'href="javascript:' not in dom.lower() and "<iframe" not in dom.lower()
    assert urls == []                                # no request left the page (evil.example never contacted)
    assert not marker.exists()


def test_nothing_captured_reaches_a_shell_or_a_path(hostile_capture: tuple[Path, Path], tmp_path: Path) -> None:
    """`hpa analyze` on hostile content (CLI, subprocess): no shell runs, no file is created except the output."""
    capture, marker = hostile_capture
    work = tmp_path / "cwd"
    work.mkdir()
    before = set(tmp_path.rglob("*"))
    out = work / "r.json"
    r = subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(capture), "--format", "json", "-o", str(out)],
                       cwd=work, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert r.returncode == 0, r.stderr
    assert not marker.exists()
    assert set(tmp_path.rglob("*")) - before == {out}
    assert json.loads(out.read_text())["input"]["flows_read"] == len(PAYLOADS) + 1


@pytest.mark.parametrize("app_id", ["../../escape", "org.x/../../y", "..", "/etc", "a\x00b", "$(id)"])
def test_capture_run_folder_stays_inside_output(app_id: str, tmp_path: Path) -> None:
    """A scenario or APK may name itself anything: the run folder still lands under the output folder."""
    from analyzer.capture.meta import new_run_id, run_folder

    out = tmp_path / "captures"
    d = run_folder(out, app_id, new_run_id())
    assert d.resolve().parent.parent == out.resolve()
    assert oct(d.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize("package", ["x;touch /tmp/hpa-pwned", "$(reboot)", "a' b", "`id`"])
def test_device_commands_quote_the_package_name(package: str) -> None:
    """The package name comes from the APK (attacker-controlled): on the device shell it stays one argument."""
    import shlex

    from analyzer.capture.android import launch_command, monkey_command

    for cmd in (launch_command(package), monkey_command(package, 10)):
        words = shlex.split(cmd)
        assert words[words.index("-p") + 1] == package


@pytest.mark.skipif(CHROMIUM is None, reason="needs the Debian chromium package")
def test_markup_in_the_app_name_stays_text_in_the_diagram(hostile_capture: tuple[Path, Path], tmp_path: Path) -> None:
    """Issue 19: markup in an app name became a live link inside the Sankey diagram."""
    capture, _ = hostile_capture
    name = '<a href="https://evil.example/x">Cycle</a><script>document.body.dataset.pwned=1</script>'
    report = analyze([capture], AnalyzeOptions(app_name=name, known_values=str(write_persona(tmp_path / "p.json"))))
    out = tmp_path / "report.html"
    emit_report(report, "html", out)
    dom, urls = render(out)
    assert "<svg" in dom and "evil.example/x" in dom            # the diagram is drawn and the name is shown...
    assert '<a href="https://evil.example' not in dom and "data-pwned" not in dom   # ...as text, never as a link
    assert urls == []
