"""The Sankey diagram: the same report draws the same diagram in every run (recipients and data types of equal
weight were ordered by a set's iteration order, which string hashing changes from one interpreter to the next)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REPORT = {"app": {"id": "org.example.cycle"}, "data_flows": [
    {"data_type": dt, "recipient": {"party": "third", "entity": who, "domain": who.lower() + ".example"},
     "evidence_count": 2, "evidence": []}
    for dt in ("device_ids", "health_fitness.health", "location.approximate")
    for who in ("Meta", "Google", "Mixpanel", "AppsFlyer", "Braze")]}

CODE = """
import json, sys
from analyzer.report.sankey import sankey
d = sankey(json.loads(sys.argv[1]))
print(json.dumps([[n.label, n.y] for n in d.nodes] + [[k.path, k.title] for k in d.links]))
"""


def _draw(seed: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    p = subprocess.run([sys.executable, "-c", CODE, json.dumps(REPORT)], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_equal_weights_are_drawn_in_name_order_whatever_the_hash_seed() -> None:
    drawings = [_draw(seed) for seed in ("1", "2", "3", "4")]
    assert all(d == drawings[0] for d in drawings)
    labels = [n for n, _ in drawings[0][:9]]
    assert labels[1:4] == sorted(labels[1:4]) and labels[4:9] == ["AppsFlyer", "Braze", "Google", "Meta", "Mixpanel"]
