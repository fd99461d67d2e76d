"""Property tests over every reader: whatever the bytes, only InputError escapes (bench/fuzz.py runs the same
mutators for 10,000 cases per target; here a derandomized sample). A bad record inside a good file is skipped and
counted, never fatal."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import InputError
from analyzer.traffic import open_capture
from bench import fuzz
from bench.fuzz_readers import seeds as reader_seeds

logging.getLogger("pypdf").setLevel(logging.CRITICAL)      # broken PDFs make pypdf chatty, not wrong
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

FAST = settings(derandomize=True, deadline=None, max_examples=150, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SLOW = settings(FAST, max_examples=40)
SEED_INTS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def traffic_seeds(work: Path) -> dict[str, bytes]:
    d = work / "traffic-seeds"
    d.mkdir()
    return reader_seeds(d)


@pytest.fixture(scope="module")
def input_seeds(work: Path) -> dict[str, list[tuple[str, bytes]]]:
    d = work / "input-seeds"
    d.mkdir()
    return fuzz.seeds(d)


def only_input_error(target: str, path: Path) -> None:
    try:
        fuzz.call_target(target, path)
    except InputError as e:
        assert e.problem and "\n" not in str(e)          # one clear line for the CLI


@pytest.mark.parametrize("fmt", ["mitm", "har", "jsonl", "pcap", "pcapng"])
@SLOW
@given(seed=SEED_INTS)
def test_traffic_readers(fmt: str, seed: int, traffic_seeds: dict[str, bytes], work: Path) -> None:
    path = work / f"case-{fmt}"
    path.write_bytes(fuzz.mutate_bytes(random.Random(seed), traffic_seeds[fmt]))
    try:
        src = open_capture(path)
        flows = sum(1 for _ in src)
    except InputError:
        return
    assert flows == src.stats.flows
    assert all(isinstance(n, int) and n > 0 for n in src.stats.skipped.values())


@FAST
@given(data=st.binary(max_size=4096))
def test_traffic_random_bytes(data: bytes, work: Path) -> None:
    path = work / "case-random"
    path.write_bytes(data)
    try:
        sum(1 for _ in open_capture(path))
    except InputError:
        pass


def test_bad_record_inside_good_file_is_skipped_and_counted(rich_capture: Path) -> None:
    good = rich_capture.read_bytes().splitlines(keepends=True)
    rich_capture.write_bytes(b"".join([good[0], b'{"schema":"hpa.flow/1","id":7}\n', b"{not json\n", *good[1:],
                                       good[-1][: len(good[-1]) // 2]]))
    src = open_capture(rich_capture)
    assert len(list(src)) == len(good)
    assert sum(src.stats.skipped.values()) == 3


@SLOW
@given(seed=SEED_INTS)
def test_apk(seed: int, input_seeds: dict, work: Path) -> None:
    rng = random.Random(seed)
    suffix, seed_bytes = rng.choice(input_seeds["apk"])
    path = work / f"case{suffix}"
    path.write_bytes(fuzz.mutate_zip(rng, seed_bytes))
    only_input_error("apk", path)


def test_apk_negative_seek_regression(tmp_path: Path) -> None:
    """The case the fuzz run found, as a plain test: it stays visible once the property passes."""
    import io
    import zipfile

    zin = zipfile.ZipFile(fuzz.APK_FIXTURES / "split.apks")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".apk"):
                b = bytearray(data)
                eocd = b.rfind(b"PK\x05\x06")
                cd_offset = int.from_bytes(b[eocd + 16: eocd + 20], "little")
                b[eocd + 16: eocd + 20] = (cd_offset + 100).to_bytes(4, "little")
                data = bytes(b)
            z.writestr(info.filename, data)
    path = tmp_path / "negative-seek.apks"
    path.write_bytes(out.getvalue())
    only_input_error("apk", path)


@SLOW
@given(seed=SEED_INTS)
def test_policy_html(seed: int, input_seeds: dict, work: Path) -> None:
    rng = random.Random(seed)
    suffix, seed_bytes = rng.choice(input_seeds["policy_html"])
    path = work / f"case{suffix}"
    path.write_bytes(fuzz.mutate_html(rng, seed_bytes))
    only_input_error("policy_html", path)


@SLOW
@given(seed=SEED_INTS)
def test_policy_pdf(seed: int, input_seeds: dict, work: Path) -> None:
    if "policy_pdf" not in input_seeds:
        pytest.skip("no Chromium to print the seed PDF")
    path = work / "case.pdf"
    path.write_bytes(fuzz.mutate_bytes(random.Random(seed), input_seeds["policy_pdf"][0][1]))
    only_input_error("policy_pdf", path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["schema", "email", "lat", "custom", "data_shared", "data_collected", "type", "purposes",
                         "no_data_shared", "x"]) | st.text(max_size=5), inner, max_size=4),
    max_leaves=25)


@pytest.mark.parametrize("target", ["persona", "data_safety"])
@FAST
@given(doc=JSON_VALUES, seed=SEED_INTS)
def test_json_inputs(target: str, doc: object, seed: int, input_seeds: dict, work: Path) -> None:
    path = work / f"{target}.json"
    rng = random.Random(seed)
    if seed % 3 == 0:
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        path.write_bytes(fuzz.mutate_json(rng, rng.choice(input_seeds[target])[1]))
    if b'{"custom":{"custom"' in path.read_bytes()[:40] or path.read_bytes()[:3] == b"[[[":
        return      # deep nesting has its own test below
    only_input_error(target, path)


@pytest.mark.parametrize("target", ["persona", "data_safety"])
def test_json_nested_100000_deep(target: str, work: Path) -> None:
    path = work / f"deep-{target}.json"
    path.write_bytes(b'{"custom":' * 100_000 + b"1" + b"}" * 100_000)
    with pytest.raises(InputError):
        fuzz.call_target(target, path)


@FAST
@given(seed=SEED_INTS)
def test_apps_csv(seed: int, input_seeds: dict, work: Path) -> None:
    from analyzer.batch.appsfile import read_apps_csv

    path = work / "apps.csv"
    path.write_bytes(fuzz.mutate_csv(random.Random(seed), input_seeds["apps_csv"][0][1]))
    try:
        apps = read_apps_csv(path)
    except InputError:
        return
    for a in apps:          # whatever was accepted cannot walk out of the captures folder
        assert "/" not in a.app_id and ".." not in a.app_id and "\x00" not in a.app_id
        assert (Path("/captures") / a.app_id).resolve().parent == Path("/captures")


@pytest.mark.parametrize("app_id", ["../../etc", "org.x/../../y", "org.x.app/..", "..", "org.x.a\x00b", "/abs.path",
                                    "org.x.app\n", "$(id).x", "org.x;rm"])
def test_apps_csv_rejects_path_walking_ids(app_id: str, tmp_path: Path) -> None:
    from analyzer.batch.appsfile import read_apps_csv

    p = tmp_path / "apps.csv"
    p.write_text("app_id,device\n" + json.dumps(app_id) + ",simulate:cycle\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_apps_csv(p)


@pytest.mark.parametrize("case", ["empty", "random", "missing", "folder", "apk", "data_safety", "policy",
                                  "persona"])
def test_cli_bad_file_exits_2_with_one_line(case: str, tmp_path: Path, rich_capture: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad"
    capture = rich_capture
    extra: list[str] = []
    if case == "empty":
        bad.write_bytes(b"")
        capture = bad
    elif case == "random":
        bad.write_bytes(random.Random(1).randbytes(5000))
        capture = bad
    elif case == "missing":
        capture = tmp_path / "nope.har"
    elif case == "folder":
        bad.mkdir()
        capture = bad
    elif case == "apk":
        extra = ["--apk", str(fuzz.APK_FIXTURES / "bomb.apk")]
    elif case == "data_safety":
        bad.write_text('{"data_shared": ', encoding="utf-8")
        extra = ["--data-safety", str(bad)]
    elif case == "policy":
        bad.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
        extra = ["--policy", str(bad)]
    else:
        bad.write_text('{"schema": "hpa.persona/1", "lat": "north"}', encoding="utf-8")
        extra = ["--known-values", str(bad)]
    r = subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(capture), *extra, "-f", "json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr[-1500:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpa: error: ") and r.stdout == ""
