"""The Dask settings hpa recommends (data/batch/dask.json) are real dask settings, reach dask through the
environment variables the README lists, and change what dask would do by default."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from analyzer.batch import dask_env, dask_settings
from tests.integration.cli import ROOT

READ = "import json, sys, dask, distributed; print(json.dumps({k: dask.config.get(k) for k in json.loads(sys.argv[1])}))"


def _dask_config(env_extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    p = subprocess.run([sys.executable, "-c", READ, json.dumps(list(dask_settings()))], capture_output=True,
                       text=True, env={**env, **env_extra}, timeout=120)
    assert p.returncode == 0, p.stderr       # a key dask does not know raises KeyError here
    return json.loads(p.stdout)


def test_settings_are_dask_settings_that_the_environment_sets():
    default = _dask_config({})
    tuned = _dask_config(dask_env())
    assert tuned == dask_settings()
    assert all(default[k] != v for k, v in dask_settings().items())


def test_readme_lists_the_environment():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"export (DASK_[^`]+)", text)
    assert block is not None
    listed = dict(kv.split("=", 1) for kv in block.group(1).replace("\\", " ").split())
    assert listed == dask_env()
