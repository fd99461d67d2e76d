"""One persona per analysis: the identifiers a capture recorded from the device (its meta.json / persona.json) and
the values of a --known-values file are both searched for; neither drops the other (detect.persona.merge_personas)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from analyzer.capture.meta import RunMeta, new_run_id, run_folder, write_run_files
from analyzer.detect.persona import Persona

from .conftest import AAID, ANDROID_ID, APP_ID, EMAIL, Capture
from .test_analyze_cli import analyze_json


def known_value_locations(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d["data_type"], e["location"]) for d in report["data_flows"] for e in d["evidence"]
            if e["method"] == "known_value"}


def test_device_ids_of_the_capture_and_the_email_of_the_file_are_both_found(capture: Capture, tmp_path: Path) -> None:
    run = run_folder(tmp_path / "captures", APP_ID, new_run_id())
    shutil.copyfile(capture.dump, run / "flows.mitm")
    # what a device capture records: the identifiers read over adb, no email (the device cannot know it)
    write_run_files(run, RunMeta(app_id=APP_ID, run_id=run.name, backend="device", mode="proxy",
                                 persona=Persona(android_id=ANDROID_ID, advertising_id=AAID)))
    kv = tmp_path / "known.json"
    kv.write_text(json.dumps({"schema": "hpa.persona/1", "email": EMAIL}))

    android_id = ("device_ids", "body.json.dv")              # the first party's opaque field: only the persona tells
    hashed_email = ("personal_info.email", "body.multipart.ud.em")   # Meta's SHA-256 of the email

    merged = known_value_locations(analyze_json(run, "--known-values", kv))
    assert android_id in merged and hashed_email in merged
    # each source alone finds only its own value: the check above could fail
    recorded_only = known_value_locations(analyze_json(run))
    assert android_id in recorded_only and hashed_email not in recorded_only
    file_only = known_value_locations(analyze_json(capture.dump, "--known-values", kv))
    assert hashed_email in file_only and android_id not in file_only
