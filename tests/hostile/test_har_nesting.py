"""JSON nesting in a HAR's own structure (issue 19: 40 KB of `[` used 1 GB, 2 MB used 24 GB): the whole analysis in a
child process under a 1.5 GiB address-space guard, as `hpa analyze` runs it. Done when every case ends with a report
or one InputError line, with a small peak RSS.

The bound itself belongs to the HAR reader (traffic/har.py and traffic/json_stream.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow

from bench import fuzz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

DEPTH = 100_000        # 100 KB of brackets: ~6 GB before the bound, by the issue's own figures
MARK = "HPA-NEST-HERE"


def har_with_nesting(path: Path, where: str) -> Path:
    a, b = tflow.tflow(resp=True), tflow.tflow(resp=True)
    a.request.content = b'{"email": "jane.tester@example.org"}'
    SaveHar().export_har([a, b], str(path))
    doc = json.loads(path.read_text())
    if where == "log":
        doc["log"]["pages"] = MARK
    elif where == "entries":
        doc["log"]["entries"].insert(1, MARK)
    else:
        doc["log"]["entries"][1]["request"]["headers"] = MARK
    text = json.dumps(doc).replace(json.dumps(MARK), "[" * DEPTH + "]" * DEPTH)
    path.write_text(text)
    return path


@pytest.mark.parametrize("where", ["log", "entries", "request"])
def test_deep_nesting_inside_a_har_is_bounded(where: str, tmp_path: Path) -> None:
    har = har_with_nesting(tmp_path / "deep.har", where)
    r = fuzz.analyze_in_child([har], guard_bytes=3 << 29, timeout=170)
    assert "crashed" not in r, r.get("stderr", "")[-500:]
    assert r["maxrss_kb"] < 512 << 10, f"peak RSS {r['maxrss_kb'] >> 10} MiB"
    if "input_error" not in r:
        assert r["flows_read"] >= 1                    # the well-formed entries are still read
