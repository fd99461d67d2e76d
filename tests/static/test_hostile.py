"""Broken and hostile inputs: one line on stderr, exit 2, never a traceback, never a huge read."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import InputError
from analyzer.static.archive import ArchiveLimits
from analyzer.static import scan_apk

from .conftest import APKS, DEMO, HPA


def _hpa(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}        # rich wraps table cells to the terminal width
    return subprocess.run([str(HPA), *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("name, problem", [
    ("not_a_zip.apk", "not a valid zip archive"),
    ("truncated.apk", "not a valid zip archive"),
    ("corrupt_manifest.apk", "corrupt AndroidManifest.xml"),
    ("bomb.apk", "zip bomb"),
])
def test_broken_fixture_exits_2_with_one_line(name, problem):
    res = _hpa("static", str(APKS / name))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"hpa: error: {APKS / name}: ")
    assert problem in lines[0]
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_missing_file_exits_2(tmp_path):
    res = _hpa("static", str(tmp_path / "absent.apk"))
    assert (res.returncode, res.stderr.strip()) == (2, f"hpa: error: {tmp_path / 'absent.apk'}: no such file")


def _rezip(src: Path, dest: Path, replace: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.pop(info.filename, zin.read(info)))
        for name, data in replace.items():
            zout.writestr(name, data)
    return dest


def test_corrupt_dex_is_an_input_error(tmp_path, tiny_kb):
    dex = zipfile.ZipFile(DEMO / "notes.apk").read("classes.dex")
    bad = dex[:0x38] + (0xFFFFFF).to_bytes(4, "little") + dex[0x3C:]       # string_ids_size far past the end
    apk = _rezip(DEMO / "notes.apk", tmp_path / "bad_dex.apk", {"classes.dex": bad})
    with pytest.raises(InputError, match=r"classes\.dex: table outside the file"):
        scan_apk(apk, kb=tiny_kb)
    apk2 = _rezip(DEMO / "notes.apk", tmp_path / "not_dex.apk", {"classes2.dex": b"PK\x03\x04 not a dex"})
    with pytest.raises(InputError, match=r"classes2\.dex: not a dex file"):
        scan_apk(apk2, kb=tiny_kb)


def test_declared_size_over_the_cap_is_refused_before_reading(tmp_path, tiny_kb):
    # a 2 MiB incompressible-ish entry: fine by default, refused under a 1 MiB entry cap
    apk = _rezip(DEMO / "notes.apk", tmp_path / "big.apk", {"assets/blob.bin": os.urandom(2 << 20)})
    assert scan_apk(apk, kb=tiny_kb)["package"] == "org.hpa.demo.notes"
    apk2 = _rezip(DEMO / "notes.apk", tmp_path / "big2.apk", {"classes2.dex": os.urandom(2 << 20)})
    with pytest.raises(InputError, match="declares 2097152 bytes"):
        scan_apk(apk2, kb=tiny_kb, limits=ArchiveLimits(max_entry_bytes=1 << 20))


def test_total_inflation_budget(tmp_path, tiny_kb):
    with pytest.raises(InputError, match="more than 4000 bytes to inflate"):
        scan_apk(APKS / "full.apk", kb=tiny_kb, limits=ArchiveLimits(max_total_bytes=4000))


def test_bundle_without_manifest_or_apk_is_refused(tmp_path):
    p = tmp_path / "empty.apks"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "nothing here")
    with pytest.raises(InputError, match="no AndroidManifest.xml and no APK inside"):
        scan_apk(p)


def test_split_of_another_package_is_refused(tmp_path, tiny_kb):
    p = tmp_path / "mixed.apks"
    with zipfile.ZipFile(p, "w") as z:
        z.write(DEMO / "notes.apk", "base.apk")
        z.write(DEMO / "cycle.apk", "split_other.apk")
    with pytest.raises(InputError, match="not of org.hpa.demo.notes"):
        scan_apk(p, kb=tiny_kb)


def test_nesting_depth_is_bounded(tmp_path, tiny_kb):
    # nested.apk carries plugin.apk; wrap it twice more: the innermost APK is past max_depth and ignored
    inner = _rezip(APKS / "nested.apk", tmp_path / "lvl2.apk", {})
    outer = _rezip(DEMO / "notes.apk", tmp_path / "lvl1.apk", {"assets/lvl2.apk": inner.read_bytes()})
    d = scan_apk(outer, kb=tiny_kb, limits=ArchiveLimits(max_depth=2))
    origins = [p["origin"] for p in d["files"]["parts"]]
    assert origins == ["lvl1.apk", "assets/lvl2.apk"]
    d3 = scan_apk(outer, kb=tiny_kb, limits=ArchiveLimits(max_depth=3))
    assert [p["origin"] for p in d3["files"]["parts"]][-1] == "assets/lvl2.apk!assets/plugins/analytics.apk"


def test_json_output_file_is_private(tmp_path):
    out = tmp_path / "static.json"
    res = _hpa("static", str(DEMO / "stride.apk"), "-f", "json", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    d = json.loads(out.read_text())
    assert (d["schema"], d["package"]) == ("hpa.static/1", "org.hpa.demo.stride")


def test_table_output_names_the_facts():
    res = _hpa("static", str(APKS / "full.apk"))
    assert res.returncode == 0, res.stderr
    for text in ("org.hpa.fixture.full", "health_connect", "ad_id", "legacy.example.org", "1234567890123456",
                 "SingleInstallBroadcastReceiver", "graph.facebook.com"):
        assert text in res.stdout


def test_directory_and_encrypted_entry(tmp_path, tiny_kb):
    with pytest.raises(InputError, match="not a file"):
        scan_apk(tmp_path)
    # flag an entry as encrypted (general purpose bit 0) in both headers: zipfile refuses to read it
    raw = bytearray(_rezip(DEMO / "notes.apk", tmp_path / "enc.apk", {}).read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        while i >= 0:
            raw[i + flag_at] |= 1
            i = raw.find(sig, i + 4)
    (tmp_path / "enc.apk").write_bytes(bytes(raw))
    with pytest.raises(InputError, match="AndroidManifest.xml: corrupt zip entry"):
        scan_apk(tmp_path / "enc.apk", kb=tiny_kb)


def test_broken_nested_apk_is_skipped_with_a_note(tmp_path, tiny_kb):
    apk = _rezip(DEMO / "notes.apk", tmp_path / "host.apk", {
        "assets/broken.apk": b"PK\x03\x04 but nothing else",
        "assets/corrupt.apk": (APKS / "corrupt_manifest.apk").read_bytes()})
    d = scan_apk(apk, kb=tiny_kb)
    assert d["package"] == "org.hpa.demo.notes"
    assert [p["origin"] for p in d["files"]["parts"]] == ["host.apk"]
    assert len(d["notes"]) == 2
    assert d["notes"][0].startswith("skipped nested APK assets/broken.apk: not an APK")
    assert d["notes"][1] == ("skipped nested APK assets/corrupt.apk: "
                             "corrupt AndroidManifest.xml (binary XML could not be parsed)")


FULL = zipfile.ZipFile(APKS / "full.apk")
FULL_ENTRIES = {i.filename: FULL.read(i) for i in FULL.infolist()}


@settings(max_examples=int(os.environ.get("HPA_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(entry=st.sampled_from(["AndroidManifest.xml", "resources.arsc", "res/xml/network_security_config.xml",
                              "classes.dex"]),
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6))
def test_mutated_entries_give_a_result_or_an_input_error(tmp_path_factory, tiny_kb, entry, edits):
    data = bytearray(FULL_ENTRIES[entry])
    for where, value in edits:
        data[int(where * len(data))] = value
    p = tmp_path_factory.mktemp("fuzz") / "m.apk"
    with zipfile.ZipFile(p, "w") as z:
        for name, content in FULL_ENTRIES.items():
            z.writestr(name, bytes(data) if name == entry else content)
    try:
        d = scan_apk(p, kb=tiny_kb)
    except InputError as e:
        assert e.problem and "\n" not in e.problem
        return
    assert d["schema"] == "hpa.static/1"
