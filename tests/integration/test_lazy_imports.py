"""A command loads only what it uses: JSON output of `hpa static`, `hpa policy` and `hpa analyze` starts without rich
(~50 ms) and tldextract (requests, ~80 ms), and reading a HAR loads none of mitmproxy's flow classes (~150 ms; its
small header helper, which the HAR body rules share, is fine). Each runs as `hpa` would, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .cli import ENV, ROOT

CHECK = ("import atexit, json, sys\n"
         "atexit.register(lambda: print(json.dumps(sorted(m for m in ('rich', 'tldextract', 'mitmproxy.http', 'mitmproxy.io') "
         "if m in sys.modules)), file=sys.stderr))\n"
         "sys.argv = ['hpa', *json.loads(sys.argv[1])]\n"
         "from analyzer.cli import main\n"
         "main()\n")


def _har(path) -> str:
    """Three requests exported by mitmproxy's own SaveHar (here, in the test's process)."""
    from mitmproxy.addons.savehar import SaveHar
    from mitmproxy.test import tflow

    flows = []
    for i in range(3):
        f = tflow.tflow(resp=True)
        f.request.host = "graph.facebook.com"
        f.request.path = f"/v16.0/123/activities?advertiser_id=38400000-8cf0-11bd-b23e-10b96e40000d&n={i}"
        f.request.content = b'{"event":"cycle_logged","email":"ana@flo.health"}'
        flows.append(f)
    SaveHar().export_har(flows, str(path))
    return str(path)


@pytest.mark.parametrize("args", [
    ["static", "demo/apks/notes.apk", "-f", "json"],
    ["policy", "policies/cycle.md", "-f", "json"],
    ["analyze", "HAR", "-f", "json"],
])
def test_json_commands_load_no_terminal_ui_and_no_proxy(args, tmp_path):
    args = [_har(tmp_path / "x.har") if a == "HAR" else a for a in args]
    p = subprocess.run([sys.executable, "-c", CHECK, json.dumps(args)], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, **ENV}, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)                               # the command did its work
    assert json.loads(p.stderr.strip().splitlines()[-1]) == []
