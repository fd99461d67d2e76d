"""Data-safety forms: loading, Play Store labels, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.policy import DataSafety, load_data_safety

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, obj) -> Path:
    p = tmp_path / "ds.json"
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return p


def test_ids_labels_and_purposes(tmp_path: Path) -> None:
    ds = load_data_safety(write(tmp_path, {
        "schema": "hpa.data_safety/1", "app_id": "a.b", "no_data_shared": False, "data_types": [
            {"id": "health_fitness.health", "collected": True, "shared": True, "purposes": ["Analytics"]},
            {"category": "Personal info", "type": "Email address", "shared": False},
            {"id": "Device or other IDs", "shared": True, "purposes": ["Advertising or marketing"]},
            {"category": "Location", "shared": False},
            {"category": "Santé et remise en forme", "type": "Informations sur la remise en forme", "shared": True},
        ]}))
    assert isinstance(ds, DataSafety) and ds.app_id == "a.b" and ds.skipped == 0
    assert ds.data_types["health_fitness.health"].purposes == ["analytics"]
    assert ds.data_types["device_ids"].purposes == ["advertising"]
    assert ds.declares_shared("health_fitness.health") and ds.declares_shared("health_fitness.fitness")
    assert ds.declares_collected("personal_info.email") and not ds.declares_shared("personal_info.email")
    assert ds.declares_collected("location.precise") and ds.declares_collected("location.approximate")
    assert ds.declaration("personal_info.email", "third") == "undeclared"
    assert ds.declaration("personal_info.email", "service_provider") == "declared"
    assert ds.declaration("calendar", "third") == "undeclared"


def test_no_data_shared_wins(tmp_path: Path) -> None:
    ds = load_data_safety(write(tmp_path, {"no_data_shared": True,
                                           "data_types": [{"id": "device_ids", "shared": True}]}))
    assert ds.declaration("device_ids", "third") == "undeclared" and ds.warnings


def test_corrupt_entries_are_skipped_and_counted(tmp_path: Path) -> None:
    ds = load_data_safety(write(tmp_path, {"data_types": [
        {"id": "device_ids", "shared": True}, {"id": "no.such.type"}, "text", {"id": "calendar", "shared": "yes"}]}))
    assert list(ds.data_types) == ["device_ids"] and ds.skipped == 3


@pytest.mark.parametrize("content,problem", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ({"schema": "other/1"}, "unknown schema"),
    ({"no_data_shared": "no"}, "true or false"),
    ({"data_types": {"id": "x"}}, "must be a list"),
])
def test_bad_files(tmp_path: Path, content, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        load_data_safety(write(tmp_path, content))
    with pytest.raises(InputError, match="no such file"):
        load_data_safety(tmp_path / "missing.json")


def test_demo_forms_load() -> None:
    for p in sorted((ROOT / "demo" / "data_safety").glob("*.json")):
        ds = load_data_safety(p)
        assert ds.skipped == 0 and ds.app_id and ds.data_types, p
    assert load_data_safety(ROOT / "demo" / "data_safety" / "cycle.json").no_data_shared
    g = load_data_safety(ROOT / "demo" / "data_safety" / "grossesse.json")
    assert g.declares_collected("health_fitness.health") and not g.declares_shared("health_fitness.health")
