"""`hpa policy FILE --format json` and the policy table."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.policy import read_policy
from analyzer.report.policy_table import emit_policy

ROOT = Path(__file__).resolve().parents[2]


def test_cli_policy_json() -> None:
    r = CliRunner().invoke(app, ["policy", str(ROOT / "policies" / "cycle.md"), "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["schema"] == "hpa.policy/1" and d["language"] == "en"
    assert {"action", "polarity", "data_types", "details", "recipients", "conditions", "sentence", "span"} <= set(d["claims"][0])
    assert any(c["action"] == "share" and c["polarity"] == "negative" and "health_fitness.health" in c["data_types"]
               for c in d["claims"])
    assert d["contact_domains"] == ["cycletrack.example"]


def test_cli_policy_missing_file_exits_2(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "analyzer.cli", "policy", str(tmp_path / "none.md"), "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip() == f"hpa: error: {tmp_path / 'none.md'}: no such file"


def test_emit_policy_table_and_json_files(tmp_path: Path, capsys) -> None:
    d = read_policy(ROOT / "policies" / "grossesse.html")
    emit_policy(d, "table", None)
    out = capsys.readouterr().out
    assert "Aucune" in out and "does not" in out and "Promises" in out
    emit_policy(d, "table", tmp_path / "t.txt")
    emit_policy(d, "json", tmp_path / "p.json")
    assert json.loads((tmp_path / "p.json").read_text())["language"] == "fr"
    assert "Nous ne vendons jamais vos données" in (tmp_path / "t.txt").read_text()
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "p.json").stat().st_mode) == 0o600


def test_policy_table_reads_top_down_at_terminal_width(tmp_path: Path) -> None:
    """Promises first, then claims grouped by data with each sentence wrapped at the width, not a narrow column."""
    from rich.console import Console

    from analyzer.report.policy_table import render_policy

    d = read_policy(ROOT / "bench" / "quality" / "policies" / "en_bloom_cycle.md")
    out_file = tmp_path / "t.txt"
    with out_file.open("w") as f:
        render_policy(d, Console(file=f, width=72, force_terminal=False, color_system=None))
    lines = out_file.read_text().splitlines()
    assert max(len(x.rstrip()) for x in lines) <= 72
    text = "\n".join(lines)
    assert text.index("Promises") < text.index("menstrual cycle")
    assert "does not share → advertising" in text
    # the sentence is wrapped in full under its group, not cut to a narrow column
    flat = " ".join(x.strip() for x in lines)
    assert "We do not share your cycle information or wellbeing information with advertisers." in flat
    # one entry per sentence and group: far fewer lines than claims times wrapped sentence lines
    assert len(lines) < 12 * len(d["claims"])
