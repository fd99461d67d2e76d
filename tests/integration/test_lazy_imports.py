"""A command loads only what it uses: JSON output of `hpa static`, `hpa policy` and `hpa analyze` starts without rich
(~50 ms) and tldextract (requests, ~80 ms), and reading a HAR loads none of mitmproxy's flow classes (~150 ms; its
small header helper, which the HAR body rules share, is fine). Each runs as `hpa` would, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.startup import tiny_har

from .cli import ENV, ROOT

HEAVY = ("rich", "tldextract", "mitmproxy.http", "mitmproxy.io")
CHECK = ("import atexit, json, sys\n"
         f"atexit.register(lambda: print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)),\n"
         "                                file=sys.stderr))\n"
         "sys.argv = ['hpa', *json.loads(sys.argv[1])]\n"
         "from analyzer.cli import main\n"
         "main()\n")


@pytest.mark.parametrize("args", [
    ["static", "demo/apks/notes.apk", "-f", "json"],
    ["policy", "policies/cycle.md", "-f", "json"],
    ["analyze", "HAR", "-f", "json"],
])
def test_json_commands_load_no_terminal_ui_and_no_proxy(args, tmp_path):
    if "HAR" in args:
        tiny_har(tmp_path / "x.har")            # mitmproxy's SaveHar, with an e-mail address in each request
    args = [str(tmp_path / "x.har") if a == "HAR" else a for a in args]
    p = subprocess.run([sys.executable, "-c", CHECK, json.dumps(args)], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, **ENV}, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)                               # the command did its work
    if args[0] == "analyze":
        assert '"data_type": "personal_info.email"' in p.stdout      # the e-mail check ran
    assert json.loads(p.stderr.strip().splitlines()[-1]) == []
