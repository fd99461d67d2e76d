"""The real-world scorer (bench/realworld.py): units are (group, entry, class, company); optional pairs count
neither way; and, where the open set is on this machine, hpa holds the issue-16 targets on it."""

from __future__ import annotations

import json

import pytest

from bench import realworld as rw
from bench.realworld import Unit


def test_scorer_counts_pairs_with_optional_and_company() -> None:
    want = {Unit("g", 0, "device_ids", "Meta"), Unit("g", 1, "email", "Branch"), Unit("g", 2, "device_ids", "Google")}
    optional = {Unit("g", 3, "device_ids", "AppDynamics")}
    found = {Unit("g", 0, "device_ids", "Meta"): "", Unit("g", 1, "email", "?branch.io"): "",   # wrong company
             Unit("g", 3, "device_ids", "AppDynamics"): "",                                       # optional
             Unit("g", 4, "location", "Meta"): ""}                                                # negative control
    r = rw.score(want, optional, found, ["device_ids", "email", "location"])
    assert (r.classes["device_ids"].tp, r.classes["device_ids"].fp, r.classes["device_ids"].fn) == (1, 0, 1)
    assert (r.classes["email"].tp, r.classes["email"].fp, r.classes["email"].fn) == (0, 1, 1)
    assert r.classes["location"].fp == 1
    assert r.total.precision == 1 / 3 and r.total.recall == 1 / 3


def test_flow_ids_map_to_entries_and_companies() -> None:
    assert rw.entry_of("capture.har#1") == 0 and rw.entry_of("x/y.har#12") == 11 and rw.entry_of("flow-7") is None
    assert rw.company_of("Branch Metrics", "branch.io") == "Branch"
    assert rw.company_of(None, "tech-03.net") == "?tech-03.net"


@pytest.mark.skipif(rw.available() is not None, reason=f"real-world set absent: {rw.available()}")
@pytest.mark.parametrize("with_persona", [True, False])
def test_targets_on_the_open_real_world_set(with_persona: bool) -> None:
    truth = rw.load_truth()
    want, optional = rw.truth_units(truth)
    found, notes = rw.run_hpa(truth, with_persona)
    r = rw.score(want, optional, found, list(truth["classes"]))
    assert r.total.precision >= 0.95, r.false_alarms
    assert r.total.recall >= 0.90, r.misses
    # every negative control stays clean (no pair at an entry that carries none)
    controls = {(g, e["index"]) for g, grp in truth["groups"].items() for e in grp["entries"]
                if not e.get("expect") and not e.get("optional")}
    assert not [u for u in found if (u.group, u.entry) in controls]
