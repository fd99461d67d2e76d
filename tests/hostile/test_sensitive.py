"""Sensitive data: private modes on everything written, the capture CA key 0600, `--redact` leaves no known value of
the persona in reports and exports (locations kept), and analysis never opens a network connection."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.report import emit_report

from .conftest import SECRETS, write_persona
from .test_faults import check_private

ROOT = Path(__file__).resolve().parents[2]
HPA = [sys.executable, "-m", "analyzer.cli"]
DEMO = ["--policy", str(ROOT / "policies" / "cycle.md"), "--data-safety", str(ROOT / "demo" / "data_safety" / "cycle.json"),
        "--apk", str(ROOT / "demo" / "apks" / "cycle.apk"), "--app-id", "org.hpa.demo.cycle"]


def forms(value: str) -> set[str]:
    """The ways a value can be written down in a report or a table."""
    return {value, value.lower(), value.upper(), quote(value), quote_plus(value), json.dumps(value)[1:-1]}


def leaks(text: str) -> list[str]:
    low = text.lower()
    return [v for s in SECRETS for v in forms(s) if v.lower() in low]


def hpa(*args: str, cwd: Path | None = None, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*(prefix or []), *HPA, *args], capture_output=True, text=True, timeout=180, cwd=cwd or ROOT)


def locations(report: dict) -> set[tuple[str, str]]:
    return {(e["flow_id"], e["location"]) for df in report["data_flows"] for e in df["evidence"]}


@pytest.fixture
def persona(tmp_path: Path) -> Path:
    return write_persona(tmp_path / "persona.json")


def test_redacted_json_and_html_reports(rich_capture: Path, persona: Path, tmp_path: Path) -> None:
    plain, red, html = tmp_path / "plain.json", tmp_path / "red.json", tmp_path / "red.html"
    for args in (["-f", "json", "-o", str(plain)], ["-f", "json", "--redact", "-o", str(red)],
                 ["-f", "html", "--redact", "-o", str(html)]):
        r = hpa("analyze", str(rich_capture), "--known-values", str(persona), *args)
        assert r.returncode == 0, r.stderr
    assert len(leaks(plain.read_text())) >= 5            # the unredacted report does hold them: the check can fail
    assert leaks(red.read_text()) == []
    assert leaks(html.read_text()) == []
    p, q = json.loads(plain.read_text()), json.loads(red.read_text())
    assert q["redacted"] is True
    # evidence keeps where it was seen; a key that is itself a value (an id used as a JSON key) is hashed in place
    assert len(locations(q)) == len(locations(p)) >= 5
    assert {x for x in locations(p) if not leaks(x[1])} <= locations(q)
    assert any(leaks(x[1]) for x in locations(p)) and not any(leaks(x[1]) for x in locations(q))
    for f in (plain, red, html):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600


def test_redacted_export(rich_capture: Path, persona: Path, tmp_path: Path) -> None:
    run = tmp_path / "captures" / "org.hpa.demo.cycle" / "20260101T000000Z-abcdef"
    run.mkdir(parents=True)
    (run / "flows.jsonl").write_bytes(rich_capture.read_bytes())
    r = hpa("analyze", str(run), "--known-values", str(persona), "-f", "json", "-o", str(run / "report.json"))
    assert r.returncode == 0, r.stderr
    tables = {}
    for name, extra in (("plain", []), ("red", ["--redact"])):
        r = hpa("export", str(tmp_path / "captures"), "-f", "csv", "-o", str(tmp_path / name), *extra)
        assert r.returncode == 0, r.stderr
        tables[name] = {p.name: p.read_text() for p in (tmp_path / name).glob("*.csv")}
    assert set(tables["red"]) == {"flows.csv", "fields.csv", "data_flows.csv", "findings.csv"}
    assert leaks("".join(tables["plain"].values()))     # the plain export holds them
    for name, text in tables["red"].items():
        assert leaks(text) == [], name
    import csv
    import io

    def locs(text: str) -> list[str]:
        return sorted(row["location"] for row in csv.DictReader(io.StringIO(text)))
    plain_locs, red_locs = locs(tables["plain"]["fields.csv"]), locs(tables["red"]["fields.csv"])
    assert len(red_locs) == len(plain_locs) > 0 and {x for x in plain_locs if not leaks(x)} <= set(red_locs)
    check_private(tmp_path / "red")


def test_simulated_capture_is_private_and_the_ca_key_too(tmp_path: Path, hpa_env: dict[str, str]) -> None:
    from analyzer.capture import CaptureOptions, run_capture

    run = run_capture(CaptureOptions(simulate="notes", output=str(tmp_path / "captures")))
    assert (run / "flows.jsonl").stat().st_size > 0
    check_private(tmp_path / "captures")
    meta = json.loads((run / "meta.json").read_text())
    assert meta["options"]["listen_host"] == "127.0.0.1"          # loopback unless --listen-host is given
    confdir = Path(hpa_env["HPA_MITM_CONFDIR"])
    keys = [p for p in confdir.iterdir() if p.name in ("mitmproxy-ca.pem", "mitmproxy-ca.p12")]
    assert keys and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in keys)
    key = Path(hpa_env["HPA_HOME"]) / "redact.key"
    if key.exists():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_analysis_in_a_network_namespace_without_interfaces(rich_capture: Path, persona: Path, tmp_path: Path) -> None:
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare -n needs root")
    out = tmp_path / "r.json"
    r = hpa("analyze", str(rich_capture), "--known-values", str(persona), *DEMO, "-f", "json", "-o", str(out),
            prefix=["unshare", "-n"])
    assert r.returncode == 0, r.stderr
    rep = json.loads(out.read_text())
    assert rep["data_flows"] and rep["static"] and rep["policy"]
    r = hpa("analyze", str(rich_capture), "-f", "html", "--redact", "-o", str(tmp_path / "r.html"), prefix=["unshare", "-n"])
    assert r.returncode == 0, r.stderr


def test_analysis_with_sockets_blocked(rich_capture: Path, persona: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kw: object) -> None:
        attempts.append(args)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    opts = AnalyzeOptions(known_values=str(persona), policy=DEMO[1], data_safety=DEMO[3], apk=DEMO[5],
                          app_id=DEMO[7])
    report = analyze([rich_capture], opts)
    emit_report(report, "html", tmp_path / "r.html", redact=True)
    emit_report(report, "json", tmp_path / "r.json")
    assert report.data_flows and attempts == []


@pytest.mark.parametrize("text", ["[1]", '{"data_flows": [{"x": 1}]}', '{"contacts": "x"}', '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_export_of_a_foreign_report_is_one_clear_error(text: str, tmp_path: Path) -> None:
    run = tmp_path / "captures" / "app" / "run"
    run.mkdir(parents=True)
    (run / "report.json").write_text(text, encoding="utf-8")
    r = hpa("export", str(tmp_path / "captures"), "-f", "csv", "-o", str(tmp_path / "x"))
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "report.json" in r.stderr, r.stderr[-1500:]
