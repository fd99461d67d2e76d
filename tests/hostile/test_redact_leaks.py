"""`--redact` against values hiding where a field-by-field redaction does not look: the Android ID inside a host name,
an e-mail used as a JSON key, the tester's name in a path segment and as a key, and the capture's metadata (a
failed-request URL of a simulated run). And what must stay (issue 18): field names and non-personal values.
A real simulated capture made with the persona, the hostile requests appended to its flows, the real CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from analyzer.model import Flow
from analyzer.traffic import JsonlWriter

from .conftest import write_persona
from .test_sensitive import forms

ROOT = Path(__file__).resolve().parents[2]
HPA = [sys.executable, "-m", "analyzer.cli"]


def hpa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*HPA, *args], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def hostile_flows(p: dict) -> list[Flow]:
    return [
        Flow(id="h1", host=f"{p['android_id']}.devices.tracker.example", method="POST", path="/v1/ping", time=1.7e9,
             phase="interaction", request_headers=[("Content-Type", "application/json")],
             request_body=json.dumps({"sdk": "v3", "platform": "android"}).encode()),
        Flow(id="h2", host="api.mixpanel.com", method="POST", path="/engage", time=1.7e9 + 1, phase="interaction",
             request_headers=[("Content-Type", "application/json")],
             request_body=json.dumps({"users": {p["email"]: {"plan": "free", "cycle_day": 12}},
                                      p["name"]: {"theme": "dark"}}).encode()),
        Flow(id="h3", host="collect.analytics.example", method="GET",
             path=f"/profile/{quote(p['name'])}/settings", query="lang=fr&screen=home", time=1.7e9 + 2,
             phase="interaction"),
    ]


def test_redaction_reaches_hosts_keys_paths_and_metadata(tmp_path: Path) -> None:
    env = {"HPA_HOME": str(tmp_path / "home"), "HPA_MITM_CONFDIR": str(tmp_path / "mitm")}
    persona = write_persona(tmp_path / "persona.json")
    caps = tmp_path / "caps"
    r = hpa("capture", "--simulate", "notes", "--known-values", str(persona), "-o", str(caps), env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    run = next(caps.glob("*/*/meta.json")).parent
    meta = json.loads((run / "meta.json").read_text())
    p = meta["persona"]     # the identity the capture recorded (the scenario's, merged with --known-values)

    def leaks(text: str) -> list[str]:
        low = text.lower()
        return [v for k in ("email", "android_id", "advertising_id", "name") for v in forms(p[k]) if v.lower() in low]

    with JsonlWriter(run / "flows.jsonl", append=True) as w:
        for f in hostile_flows(p):
            w.write(f)
    meta["coverage"]["simulated_failures"] = [
        f"GET https://{p['android_id']}.push.example/r?e={quote(p['email'])}: ConnectionError: refused"]
    (run / "meta.json").write_text(json.dumps(meta))

    plain = hpa("analyze", str(run), "-f", "json", "-o", str(run / "report.json"), env=env)
    assert plain.returncode == 0, plain.stderr
    first = hpa("analyze", str(run), "-f", "json", "--redact", env=env)
    second = hpa("analyze", str(run), "-f", "html", "--redact", env=env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "redaction key" in first.stderr and str(tmp_path / "home") in first.stderr    # said the first time
    assert "redaction key" not in second.stderr                                          # and only then

    text = (run / "report.json").read_text()
    assert len(leaks(text)) >= 4                                # the unredacted report holds them: the check can fail
    red = json.loads(first.stdout)
    assert leaks(first.stdout) == [] and leaks(second.stdout) == []
    hosts = {c["host"] for c in red["contacts"]}
    assert "api.mixpanel.com" in hosts and any(h.endswith(".devices.tracker.example") for h in hosts)
    assert all("⟦" not in h for h in hosts if not h.endswith("devices.tracker.example"))   # plain hosts stay

    ex = hpa("export", str(caps), "-f", "csv", "--redact", "-o", str(tmp_path / "tables"), env=env)
    assert ex.returncode == 0, ex.stderr
    tables = {p.name: p.read_text() for p in (tmp_path / "tables").glob("*.csv")}
    for name, t in tables.items():
        assert leaks(t) == [], name
    fields = list(csv.DictReader(io.StringIO(tables["fields.csv"])))
    # field names and values that are not personal stay readable (issue 18)
    kept = {(f["location"], f["value"]) for f in fields}
    assert ("body.json.sdk", "v3") in kept and ("query.screen", "home") in kept
    assert any(f["location"].startswith("body.json.users.⟦") and f["location"].endswith(".cycle_day") for f in fields)
    flows = list(csv.DictReader(io.StringIO(tables["flows.csv"])))
    assert any(f["url"].startswith("https://collect.analytics.example/profile/⟦") and f["url"].endswith(
        "/settings?lang=fr&screen=home") for f in flows)
