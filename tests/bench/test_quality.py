"""The corpus generator is deterministic and faithful to its wire formats; the scorer counts right."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from bench.quality import generate
from bench.quality.har import DATA_CLASSES
from bench.quality.score import Item, Unit, corpus_files, score, score_units, truth_items

CORPUS = generate.DEFAULT_OUT


def _u(cap: str, entry: int, cls: str) -> Item:
    return Item(Unit(cap, entry, cls))


def test_scorer_counts_units_not_detections() -> None:
    truth = [_u("a", 0, "health"), _u("a", 0, "health"),          # two labels, one unit
             _u("a", 1, "health"), _u("a", 2, "email"), _u("b", 0, "device_ids")]
    found = [_u("a", 0, "health"), _u("a", 0, "health"),          # two detections, one unit: one TP
             _u("a", 3, "health"),                                # FP
             _u("a", 2, "email"), _u("a", 2, "phone"),             # TP, FP
             _u("b", 0, "device_ids"), _u("b", 0, "other")]       # TP; "other" is not a scored class
    s = score_units(truth, found)
    h = s.classes["health"]
    assert (h.tp, h.fp, h.fn) == (1, 1, 1)
    assert h.precision == pytest.approx(0.5) and h.recall == pytest.approx(0.5)
    assert (s.classes["email"].tp, s.classes["email"].fp, s.classes["email"].fn) == (1, 0, 0)
    assert s.classes["phone"].precision == 0.0 and s.classes["phone"].recall is None
    assert s.classes["device_ids"].recall == 1.0
    assert s.classes["location"].precision is None
    assert (s.total.tp, s.total.fp, s.total.fn) == (3, 2, 1)
    assert [m.unit for m in s.misses] == [Unit("a", 1, "health")]
    assert {f.unit for f in s.false_alarms} == {Unit("a", 3, "health"), Unit("a", 2, "phone")}


def test_score_runs_a_detector_over_a_corpus_and_isolates_failures(tmp_path: Path) -> None:
    generate.generate(tmp_path)
    files = corpus_files(tmp_path)
    good, bad = files[0], files[1]

    def oracle(cf):  # answers the truth exactly for one capture, fails on another, finds nothing elsewhere
        if cf.name == bad.name:
            raise RuntimeError("boom")
        return (truth_items(cf) if cf.name == good.name else []), 10, []

    s = score(tmp_path, detect=oracle)
    n_good = len({it.unit for it in truth_items(good)})
    assert s.total.tp == n_good and s.total.fp == 0
    assert s.total.fn == len({it.unit for cf in files if cf.name != good.name for it in truth_items(cf)})
    assert s.errors == [f"{bad.name}: RuntimeError: boom"]
    assert s.captures == len(files)
    assert s.traps and all(flagged == 0 for _, flagged in s.traps.values())

    def gullible(cf):  # flags health on every asset-path trap: each one must show up as a trap false alarm
        t = json.loads(cf.truth.read_text())
        return [Item(Unit(cf.name, tr["entry"], "health")) for tr in t["traps"] if tr["kind"] == "asset_path"], 1, []

    g = score(tmp_path, detect=gullible)
    n, flagged = g.traps["asset_path"]
    assert n > 0 and flagged == n and g.classes["health"].fp == n


def test_generator_is_deterministic_and_committed_corpus_is_current(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate.generate(a)
    generate.generate(b)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    committed = sorted(p.name for p in CORPUS.iterdir() if not p.name.startswith("."))
    assert committed == names, "run: python -m bench.quality.generate"
    for n in names:
        assert (CORPUS / n).read_bytes() == (a / n).read_bytes(), f"{n} is stale: python -m bench.quality.generate"
    other = tmp_path / "c"
    generate.generate(other, seed=7)
    assert (other / names[0]).read_bytes() != (a / names[0]).read_bytes()


def test_holdout_set_is_current_and_uses_other_words(tmp_path: Path) -> None:
    generate.generate(tmp_path, which="holdout")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in generate.HOLDOUT_OUT.iterdir() if not p.name.startswith("."))
    for n in names:
        assert (generate.HOLDOUT_OUT / n).read_bytes() == (tmp_path / n).read_bytes(), \
            f"{n} is stale: python -m bench.quality.generate --all"
    main = json.loads((generate.HERE / "vocab.json").read_text())
    held = json.loads((generate.HERE / "holdout_vocab.json").read_text())
    def words(v):
        return {e["name"] for k, t in v.items() if not k.startswith("_") for lang in t.values() for e in lang} | \
               {p["key"] for k, t in v.items() if not k.startswith("_") for lang in t.values() for e in lang
                for p in e["params"] if p["cls"]}
    assert not {e for e in words(held) if e in words(main)} - {"medication", "condition", "medicament", "theme"}


def test_corpus_shape() -> None:
    files = corpus_files(CORPUS)
    assert len(files) >= 30
    seen_classes = set()
    langs = set()
    for cf in files:
        har = json.loads(cf.har.read_text())
        entries = har["log"]["entries"]
        assert har["log"]["version"] == "1.2"
        assert 20 <= len(entries) <= 200, cf.name
        truth = json.loads(cf.truth.read_text())
        assert truth["schema"] == "hpa.truth/1" and truth["entries"] == len(entries)
        for lab in truth["labels"]:
            assert lab["data_class"] in DATA_CLASSES
            assert entries[lab["entry"]]["request"]["url"] == lab["url"]
            seen_classes.add(lab["data_class"])
        persona = json.loads(cf.persona.read_text())
        assert persona["schema"] == "hpa.persona/1" and persona["email"] and persona["advertising_id"]
        langs.add(truth["app"]["lang"])
        times = [e["startedDateTime"] for e in entries]
        assert len(set(times)) == len(times)            # the scorer maps flows back by start time
    assert seen_classes == set(DATA_CLASSES) and langs == {"en", "fr"}


def _entries(name: str) -> tuple[list[dict], dict, dict]:
    har = json.loads((CORPUS / f"{name}.har").read_text())
    truth = json.loads((CORPUS / f"{name}.truth.json").read_text())
    persona = json.loads((CORPUS / f"{name}.persona.json").read_text())
    return har["log"]["entries"], truth, persona


def _pb_fields(buf: bytes) -> list[tuple[int, int, bytes | int]]:
    """A minimal protobuf wire walk (independent of wire.py) to check what the generator wrote."""
    out, i = [], 0
    def varint():
        nonlocal i
        shift = n = 0
        while True:
            b = buf[i]; i += 1
            n |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                return n
    while i < len(buf):
        tag = varint()
        field, wt = tag >> 3, tag & 7
        if wt == 0:
            out.append((field, wt, varint()))
        elif wt == 2:
            n = varint(); out.append((field, wt, buf[i:i + n])); i += n
        elif wt == 1:
            out.append((field, wt, buf[i:i + 8])); i += 8
        else:
            raise ValueError(wt)
    return out


def test_firebase_bundle_carries_the_aaid_in_field_19_and_events_by_name() -> None:
    entries, truth, persona = _entries("lunaria_period")
    e = next(e for e in entries if e["request"]["url"] == "https://app-measurement.com/a")
    post = e["request"]["postData"]
    assert post["encoding"] == "base64"
    assert {"name": "Content-Encoding", "value": "gzip"} in e["request"]["headers"]
    batch = _pb_fields(gzip.decompress(base64.b64decode(post["text"])))
    bundle = dict((f, v) for f, _, v in _pb_fields(batch[0][2]) if f != 2)
    assert bundle[19].decode() == persona["advertising_id"]
    names = [dict((f, v) for f, _, v in _pb_fields(v))[2].decode() for f, _, v in _pb_fields(batch[0][2]) if f == 2]
    assert names[0] == "_s" and names[-1] == "_e"


def test_meta_advanced_matching_is_the_sha256_of_the_persona_email() -> None:
    import hashlib
    entries, truth, persona = _entries("lunaria_period")
    idx = next(l["entry"] for l in truth["labels"] if l["details"] == "email_sha256")
    body = entries[idx]["request"]["postData"]["text"]
    assert hashlib.sha256(persona["email"].encode()).hexdigest() in body
    assert persona["email"] not in body
    assert "custom_events" in body and "advertiser_id" in body


def test_traps_carry_no_label_of_the_classes_they_test() -> None:
    for cf in corpus_files(CORPUS):
        truth = json.loads(cf.truth.read_text())
        labelled = {(l["entry"], l["data_class"]) for l in truth["labels"]}
        for trap in truth["traps"]:
            if trap["kind"] in ("asset_path", "content_feed", "config_flag", "sdk_version"):
                for cls in trap["not"]:
                    if trap["kind"] == "sdk_version" and (trap["entry"], cls) in labelled:
                        continue       # a first-party call may carry health data besides its user-agent
                    assert (trap["entry"], cls) not in labelled, (cf.name, trap)


def test_bench_main_discovers_benchmarks_and_reports_a_failing_one(tmp_path: Path) -> None:
    import bench.__main__ as bm

    names = bm.discover()
    assert names[:3] == ["quality", "trackhar_compare", "throughput"]
    assert "fuzz" not in names and "__main__" not in names
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(bm.HERE.parent)}
    status, lines, _ = bm.run_one("no_such_benchmark_xyz", 60, env)
    assert status.startswith("FAILED") and "No module named" in status
