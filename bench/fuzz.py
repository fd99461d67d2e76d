"""`make fuzz`: every reader and decoder of hpa fed generated hostile input; nothing but InputError may escape.

    python -m bench.fuzz [--cases 10000] [--seed 1] [--only NAME ...] [--big]

Targets: the traffic readers and request decoders (bench/fuzz_readers.py, bench/fuzz_decoders.py, run as they are),
the reader paths byte mutation rarely reaches (bench/fuzz_structured.py: HAR/JSONL with lone surrogates and deep
nesting, pcapng made of hostile blocks),
plus APK (zip and binary XML: `scan_apk`), policy HTML and PDF (`read_policy`), persona JSON (`load_persona`),
Data-safety JSON (`load_data_safety`) and apps.csv (`read_apps_csv`), each on mutated real seed files.
Prints per target: cases, clean errors (InputError), records skipped, bounds hit, hangs (> CASE_SECONDS), unexpected
exceptions. Exit code 1 when any unexpected exception or hang was seen.

`--big` also runs the bounded-resource cases (bombs, 1 GB body, deep JSON, recursive protobuf) through the whole
analysis in a child process and prints each one's peak RSS and the bound reported (tests/hostile runs them smaller).
The helpers here (seeds, mutators, bomb builders, `analyze_in_child`) are shared with tests/hostile.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import io
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:           # the sibling fuzzers import each other by plain module name
    sys.path.insert(0, str(ROOT / "bench"))
APK_FIXTURES = ROOT / "tests" / "fixtures" / "apks"
CASE_SECONDS = 20                  # one case longer than this is counted as a hang
BOUND_WORDS = re.compile(r"bomb|limit|larger than|too (large|big|long|deep)|nest|exceed", re.I)


# --------------------------------------------------------------------------------------------- mutators
def mutate_bytes(rng: random.Random, seed: bytes) -> bytes:
    """Byte-level mutation (flips, cuts, inserts, splices); the readers' fuzzer's own, reused."""
    from fuzz_readers import mutate
    return mutate(rng, seed)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value of any type (wrong types are what typed loaders trip on)."""
    pick = rng.randrange(9 if depth < 4 else 6)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -1, 2**63, -(2**70), 10**400 if rng.random() < 0.1 else 7])
    if pick == 3:
        return rng.choice([0.5, -1e308, 1e308, float("nan"), float("inf")])
    if pick == 4:
        return rng.choice(["", "x", "../../etc/passwd", "\x00", "\ud800", "é" * 5, "<script>alert(1)</script>",
                           "1991-02-30", "a@b", "+33 6", "9" * 50])
    if pick == 5:
        return rng.randbytes(rng.randint(0, 20)).decode("latin-1")
    if pick == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["schema", "email", "phone", "name", "advertising_id", "android_id", "lat", "lon", "custom",
            "birth_date", "data_shared", "data_collected", "data_types", "purposes", "optional", "no_data_shared",
            "app_id", "security", "type", "category", rng.randbytes(3).decode("latin-1")]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def mutate_json(rng: random.Random, seed: bytes) -> bytes:
    """Structure-aware: replace a value anywhere in the document by a random JSON value, or nest it very deep."""
    try:
        doc = json.loads(seed)
    except ValueError:
        return mutate_bytes(rng, seed)
    r = rng.random()
    if r < 0.05:
        depth = rng.choice([1000, 100_000])
        return b'{"custom":' * depth + b"1" + b"}" * depth if rng.random() < 0.5 else b"[" * depth + b"]" * depth
    if r < 0.15:
        return json.dumps(random_json(rng)).encode()
    for _ in range(rng.randint(1, 3)):
        node, path = doc, []
        while isinstance(node, (dict, list)) and node and rng.random() < 0.7:
            k = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append(k)
            node = node[k]
        if not path:
            doc = random_json(rng)
            continue
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if rng.random() < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = random_json(rng)
    try:
        return json.dumps(doc, allow_nan=True).encode()
    except (ValueError, TypeError):
        return seed


def mutate_zip(rng: random.Random, seed: bytes) -> bytes:
    """Structure-aware APK mutation: mutate one member (manifest AXML, dex, arsc...) and re-zip; sometimes add
    members (many entries, a nested APK, a highly compressible entry), sometimes mutate the zip bytes themselves."""
    if rng.random() < 0.3:
        return mutate_bytes(rng, seed)
    try:
        zin = zipfile.ZipFile(io.BytesIO(seed))
        members = [(i, zin.read(i)) for i in zin.infolist()]
    except Exception:  # noqa: BLE001 - a seed that is itself broken: mutate its bytes
        return mutate_bytes(rng, seed)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        victim = rng.randrange(len(members)) if members else -1
        for n, (info, data) in enumerate(members):
            if n == victim:
                data = mutate_bytes(rng, data)
            z.writestr(info.filename, data, compress_type=rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
        r = rng.random()
        if r < 0.05:
            z.writestr("assets/zeros.bin", b"\0" * (8 << 20), compress_type=zipfile.ZIP_DEFLATED)
        elif r < 0.08:
            for i in range(rng.randint(100, 3000)):
                z.writestr(f"res/x{i}", b"")
        elif r < 0.12:
            z.writestr("assets/inner.apk", mutate_bytes(rng, seed))
    return out.getvalue()


def mutate_html(rng: random.Random, seed: bytes) -> bytes:
    r = rng.random()
    if r < 0.05:
        depth = rng.choice([1000, 50_000])
        return b"<html><body>" + b"<div>" * depth + b"We sell your data." + b"</div>" * depth + b"</body></html>"
    if r < 0.15:
        i = rng.randrange(len(seed) + 1)
        junk = rng.choice([b"<script>alert(1)</script>", b"<!--", b"<![CDATA[", b"<svg onload=x>", b"&#xD800;",
                           b"<meta charset=utf-16>", b"\x00", b"<table>" * 200, b"</p>" * 50])
        return seed[:i] + junk + seed[i:]
    return mutate_bytes(rng, seed)


def mutate_csv(rng: random.Random, seed: bytes) -> bytes:
    """Rows of apps.csv with hostile cells (path walking, quotes, newlines, NUL, huge cells) or broken bytes."""
    if rng.random() < 0.4:
        return mutate_bytes(rng, seed)
    rows = list(csv.reader(io.StringIO(seed.decode("utf-8", "replace"))))
    cells = ["../../etc", "org.x.app", "a/../b", "org.x.app\n", '"', "simulate:../../x", "serial:;rm -rf /",
             "org.x." + "a" * 5000, "\x00", "menstrual", "fitness", "", "avd:$(id)", "org..x", "org.x.app/../..",
             "https://x.example/p", "/etc/passwd", "org.x.ok", "org.x.ok"]
    for _ in range(rng.randint(1, 4)):
        if not rows:
            rows = [[]]
        row = rng.choice(rows)
        if row and rng.random() < 0.8:
            row[rng.randrange(len(row))] = rng.choice(cells)
        else:
            rows.append([rng.choice(cells) for _ in range(rng.randint(0, 10))])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------------------------- seeds
def pdf_seed(d: Path) -> bytes | None:
    """A real PDF of a bundled policy, printed by Chromium (fonts, compressed streams, xref as made in practice)."""
    import shutil
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        return None
    out = d / "policy.pdf"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={out}", (ROOT / "policies" / "mindful.html").as_uri()],
                       capture_output=True, timeout=120)
    return out.read_bytes() if out.exists() and out.stat().st_size else None


def seeds(d: Path) -> dict[str, list[tuple[str, bytes]]]:
    """target -> [(file suffix, seed bytes)], all real files from the repository or made by real tools."""
    apks = [(p.suffix, p.read_bytes()) for p in sorted(APK_FIXTURES.glob("*.apk*")) + sorted(APK_FIXTURES.glob("*.xapk"))
            if p.stat().st_size > 100]
    apks += [(".apk", p.read_bytes()) for p in sorted((ROOT / "demo" / "apks").glob("*.apk"))[:2]]
    out: dict[str, list[tuple[str, bytes]]] = {
        "apk": apks,
        "policy_html": [(".html", p.read_bytes()) for p in sorted((ROOT / "policies").glob("*.html"))]
        + [(".md", p.read_bytes()) for p in sorted((ROOT / "policies").glob("*.md"))[:1]],
        "data_safety": [(".json", p.read_bytes()) for p in sorted((ROOT / "demo" / "data_safety").glob("*.json"))],
        "persona": [(".json", json.dumps(PERSONA).encode())],
        "apps_csv": [(".csv", (ROOT / "apps.csv").read_bytes())],
    }
    out["capture_meta"] = [(".json", json.dumps(meta_seed()).encode())]
    pdf = pdf_seed(d)
    if pdf:
        out["policy_pdf"] = [(".pdf", pdf)]
    return out


def meta_seed() -> dict[str, Any]:
    """meta.json of a capture run, as analyzer/capture writes it."""
    from analyzer.capture.meta import PhaseRecord, RunMeta
    from analyzer.detect.persona import Persona
    meta = RunMeta(app_id="org.hpa.demo.cycle", run_id="20260101T000000Z-abcdef", backend="simulate", mode="proxy",
                   simulated=True, sinkhole=True, app_name="CycleTrack", scenario="cycle", persona=Persona.from_dict(PERSONA),
                   device={"kind": "simulated"}, coverage={"proxy_http_flows": 3, "pcap": {"captured": False}},
                   notes=["simulated app"], first_party_domains=["cycletrack.example"], start_time=1.7e9)
    meta.phases.append(PhaseRecord(name="pre_consent", start=1.7e9, end=1.7e9 + 5, requests=3))
    meta.end_time = 1.7e9 + 30
    return meta.to_dict()


PERSONA = {"schema": "hpa.persona/1", "advertising_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
           "android_id": "9774d56d682e549c", "email": "jane.tester@example.org", "phone": "+33612345678",
           "name": "Jane Tester", "birth_date": "1991-04-23", "lat": 48.8566, "lon": 2.3522,
           "custom": {"weight": "63.5", "mood": "anxious"}}

MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "apk": mutate_zip, "policy_html": mutate_html, "policy_pdf": mutate_bytes, "persona": mutate_json,
    "data_safety": mutate_json, "apps_csv": mutate_csv, "capture_meta": mutate_json,
}


def call_target(name: str, path: Path) -> Any:
    """Run the reader a target stands for on one file."""
    if name == "apk":
        from analyzer.static import scan_apk
        return scan_apk(str(path))
    if name in ("policy_html", "policy_pdf"):
        from analyzer.policy import read_policy
        return read_policy(str(path))
    if name == "persona":
        from analyzer.detect.persona import load_persona
        return load_persona(str(path))
    if name == "data_safety":
        from analyzer.policy import load_data_safety
        return load_data_safety(str(path))
    if name == "apps_csv":
        from analyzer.batch.appsfile import read_apps_csv
        return read_apps_csv(str(path))
    if name == "capture_meta":              # a capture folder made elsewhere: its meta.json drives the analysis
        from analyzer.pipeline import analyze
        from analyzer.report import report_json
        run = path.parent / "capture-meta-run"
        if not (run / "flows.jsonl").exists():
            run.mkdir(exist_ok=True)
            write_bomb_capture(run / "flows.jsonl", b'{"mood":"low"}', [("Content-Type", "application/json")])
        (run / "meta.json").write_bytes(path.read_bytes())
        return report_json(analyze([run]))
    raise KeyError(name)


# --------------------------------------------------------------------------------------------- the loop
class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


@dataclass
class Tally:
    cases: int = 0
    ok: int = 0
    input_errors: int = 0
    skipped: int = 0
    bounds: int = 0
    hangs: int = 0
    unexpected: int = 0
    kinds: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def row(self, name: str) -> dict[str, Any]:
        return {"target": name, "cases": self.cases, "ok": self.ok, "input_errors": self.input_errors,
                "records_skipped": self.skipped, "bounds_hit": self.bounds, "hangs": self.hangs,
                "unexpected": self.unexpected}


def fuzz_target(name: str, cases: int, rng: random.Random, work: Path, seed_list: list[tuple[str, bytes]]) -> Tally:
    t = Tally()
    mutate = MUTATORS[name]
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for i in range(cases):
            suffix, seed = rng.choice(seed_list)
            path = work / f"case{suffix}"
            path.write_bytes(mutate(rng, seed))
            t.cases += 1
            signal.alarm(CASE_SECONDS)
            try:
                result = call_target(name, path)
                t.ok += 1
                if name == "apk" and isinstance(result, dict) and result.get("skipped"):
                    t.skipped += len(result["skipped"])
            except Hang:
                t.hangs += 1
                t.examples.append(f"case {i}: hang > {CASE_SECONDS} s (input kept at {_keep(path, name, i)})")
            except Exception as e:  # noqa: BLE001 - sorting what escaped is the point
                from analyzer.errors import InputError
                if isinstance(e, InputError):
                    t.input_errors += 1
                    if BOUND_WORDS.search(e.problem):
                        t.bounds += 1
                else:
                    t.unexpected += 1
                    t.kinds[f"{type(e).__name__}: {re.sub(r'[0-9]+', 'N', str(e))[:50]}"] += 1
                    if len(t.examples) < 3:
                        t.examples.append(f"case {i} (kept at {_keep(path, name, i)}):\n"
                                          + traceback.format_exc(limit=-4))
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, old)
    return t


def _keep(path: Path, name: str, i: int) -> str:
    keep = Path(tempfile.gettempdir()) / "hpa-fuzz-failures"
    keep.mkdir(exist_ok=True, mode=0o700)
    dst = keep / f"{name}-{i}{path.suffix}"
    dst.write_bytes(path.read_bytes())
    return str(dst)


# --------------------------------------------------------------------------------------------- bounded resources
ZEROS_CHUNK = b"\0" * (1 << 20)


def gzip_bomb(mib: int) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as g:
        for _ in range(mib):
            g.write(ZEROS_CHUNK)
    return buf.getvalue()


def brotli_bomb(mib: int) -> bytes:
    import brotli
    c = brotli.Compressor(quality=5)
    out = bytearray()
    for _ in range(mib):
        out += c.process(ZEROS_CHUNK)
    return bytes(out + c.finish())


def recursive_protobuf(depth: int) -> bytes:
    """A message whose field 1 holds a message whose field 1 holds..., `depth` deep (length-delimited)."""
    from bench.quality.wire import varint

    msg = b"\x08\x01"
    for _ in range(depth):
        msg = b"\x0a" + varint(len(msg)) + msg
    return msg


def write_bomb_capture(path: Path, body: bytes, headers: list[tuple[str, str]], fid: str = "bomb") -> Path:
    """An hpa JSONL capture holding one hostile request and one ordinary one (to show analysis goes on)."""
    from analyzer.model import Flow
    from analyzer.traffic import JsonlWriter
    with JsonlWriter(path) as w:
        w.write(Flow(id=fid, host="collect.tracker.example", method="POST", path="/v1/batch",
                     request_headers=headers, request_body=body, time=1.7e9))
        w.write(Flow(id="plain", host="api.example.org", method="POST", path="/log",
                     request_headers=[("Content-Type", "application/json")],
                     request_body=b'{"email":"jane.tester@example.org"}', time=1.7e9 + 1))
    return path


def _b64_stream(f: Any, pieces: Any) -> None:
    """Base64 of the concatenated pieces, written as it goes (a remainder of < 3 bytes carried over)."""
    rest = b""
    for piece in pieces:
        data = rest + piece
        cut = len(data) - len(data) % 3
        f.write(base64.b64encode(data[:cut]))
        rest = data[cut:]
    f.write(base64.b64encode(rest))


def write_big_jsonl(path: Path, body_bytes: int) -> Path:
    """A JSONL flow whose JSON body is `body_bytes` long, written in chunks (never held in memory), then a small one."""
    head = {"schema": "hpa.flow/1", "id": "big", "host": "upload.tracker.example", "method": "POST",
            "request_headers": [["Content-Type", "application/json"]]}
    chunk = b"A" * (4 << 20)

    def pieces() -> Any:
        yield b'{"a":"'
        left = body_bytes - 8
        while left > 0:
            yield chunk[: min(left, len(chunk))]
            left -= len(chunk)
        yield b'"}'

    with open(path, "wb") as f:
        f.write((json.dumps(head)[:-1] + ',"request_body":"').encode())
        _b64_stream(f, pieces())
        f.write(b'"}\n')
        f.write((json.dumps({"schema": "hpa.flow/1", "id": "after", "host": "api.example.org",
                             "request_body": base64.b64encode(b"email=jane.tester@example.org").decode(),
                             "request_headers": [["Content-Type", "application/x-www-form-urlencoded"]]})
                 + "\n").encode())
    return path


def write_big_har(path: Path, body_bytes: int) -> Path:
    """A HAR whose one entry posts `body_bytes` of text, written in chunks."""
    entry_head = ('{"log":{"version":"1.2","creator":{"name":"fuzz","version":"1"},"entries":[{"startedDateTime":'
                  '"2024-01-01T00:00:00Z","time":1,"request":{"method":"POST","url":"https://upload.tracker.example/u",'
                  '"httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":-1,'
                  '"postData":{"mimeType":"text/plain","text":"')
    tail = ('"}},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":[],'
            '"content":{"size":0,"mimeType":"text/plain"},"redirectURL":"","headersSize":-1,"bodySize":0},'
            '"cache":{},"timings":{"send":0,"wait":0,"receive":0}}]}}')
    chunk = b"B" * (4 << 20)
    with open(path, "wb") as f:
        f.write(entry_head.encode())
        left = body_bytes
        while left > 0:
            f.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        f.write(tail.encode())
    return path


CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))   # a guard for the machine, not the bound
from analyzer.errors import InputError
from analyzer.pipeline import AnalyzeOptions, analyze
out = {}
try:
    r = analyze(sys.argv[3:], AnalyzeOptions(**json.loads(sys.argv[2])))
    out = {"bounds_hit": r.input.bounds_hit, "skipped": r.input.skipped, "flows_read": r.input.flows_read,
           "data_flows": [[d.data_type, d.recipient.domain] for d in r.data_flows]}
except InputError as e:
    out = {"input_error": str(e)}
# this process's own peak: VmHWM belongs to the address space made at exec, while ru_maxrss keeps the parent's
# peak from before the exec (a large test runner would be counted)
out["maxrss_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(out))
"""


def analyze_in_child(paths: list[Path], options: dict[str, Any] | None = None, guard_bytes: int = 6 << 30,
                     timeout: float = 600) -> dict[str, Any]:
    """`analyzer.pipeline.analyze` in a fresh process; its summary plus peak RSS (`maxrss_kb`), or how it died."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(guard_bytes), json.dumps(options or {}), *map(str, paths)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        return {"crashed": proc.returncode, "stderr": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bounded_cases(d: Path, big_bytes: int) -> dict[str, Path]:
    """name -> capture path, for each hostile resource case."""
    deep = 100_000
    return {
        "gzip bomb (1 GiB of zeros)": write_bomb_capture(d / "gzip.jsonl", gzip_bomb(1024),
                                                        [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]),
        "brotli bomb (1 GiB of zeros)": write_bomb_capture(d / "br.jsonl", brotli_bomb(1024),
                                                          [("Content-Type", "application/json"), ("Content-Encoding", "br")]),
        f"JSON nested {deep:,} deep": write_bomb_capture(d / "deep.jsonl", b'{"a":' * deep + b"1" + b"}" * deep,
                                                        [("Content-Type", "application/json")]),
        "recursive protobuf (5,000 deep)": write_bomb_capture(d / "proto.jsonl", recursive_protobuf(5000),
                                                             [("Content-Type", "application/x-protobuf")]),
        f"JSONL body {big_bytes >> 20} MiB": write_big_jsonl(d / "big.jsonl", big_bytes),
        f"HAR body {big_bytes >> 20} MiB": write_big_har(d / "big.har", big_bytes),
    }


def run_big(big_bytes: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        cases = [(name, [path], {}) for name, path in bounded_cases(Path(d), big_bytes).items()]
        plain = write_bomb_capture(Path(d) / "plain.jsonl", b"{}", [("Content-Type", "application/json")])
        cases.append(("zip-bomb APK (--apk)", [plain], {"apk": str(APK_FIXTURES / "bomb.apk")}))
        for name, paths, options in cases:
            t0 = time.perf_counter()
            r = analyze_in_child(paths, options)
            rows.append({"case": name, "seconds": round(time.perf_counter() - t0, 1),
                         "peak_rss_mib": round(r.get("maxrss_kb", 0) / 1024), "bounds_hit": r.get("bounds_hit"),
                         "skipped": r.get("skipped"), "input_error": r.get("input_error"),
                         "crashed": r.get("stderr", "")[-300:] or None})
            print(rows[-1], flush=True)
    return rows


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="generated cases per target")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="*", default=None, help="targets: readers structured decoders " + " ".join(MUTATORS))
    ap.add_argument("--big", action="store_true", help="also the bounded-resource cases with a 1 GiB body")
    args = ap.parse_args(argv)
    import logging
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)      # broken PDFs make pypdf log every repair it tries
    want = (lambda n: args.only is None or n in args.only)
    rows: list[dict[str, Any]] = []
    t_all = time.perf_counter()
    if want("readers"):
        import fuzz_readers
        for reader, c in fuzz_readers.run(args.cases, args.seed).items():
            rows.append({"target": f"traffic:{reader}", "cases": c.get("cases", 0),
                         "ok": c.get("cases", 0) - c.get("input_errors", 0) - c.get("unexpected", 0),
                         "input_errors": c.get("input_errors", 0), "records_skipped": c.get("records_skipped", 0),
                         "bounds_hit": 0, "hangs": 0, "unexpected": c.get("unexpected", 0)})
    if want("structured"):
        import fuzz_structured
        for target, c in fuzz_structured.run(args.cases, args.seed).items():
            rows.append({"target": target, "cases": c.get("cases", 0),
                         "ok": c.get("cases", 0) - c.get("input_errors", 0) - c.get("unexpected", 0) - c.get("hangs", 0),
                         "input_errors": c.get("input_errors", 0), "records_skipped": c.get("records_skipped", 0),
                         "bounds_hit": 0, "hangs": c.get("hangs", 0), "unexpected": c.get("unexpected", 0)})
    if want("decoders"):
        import fuzz_decoders
        c = fuzz_decoders.run(args.cases, args.seed)
        rows.append({"target": "decoders", "cases": c["cases"], "ok": c["cases"] - c["unexpected"], "input_errors": 0,
                     "records_skipped": 0, "bounds_hit": sum(c["bounds_hit"].values()), "hangs": 0,
                     "unexpected": c["unexpected"]})
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as d:
        seed_files = seeds(Path(d))
        for name in MUTATORS:
            if not want(name):
                continue
            if name not in seed_files:
                print(f"{name}: no seed (chromium missing?), skipped")
                continue
            t0 = time.perf_counter()
            t = fuzz_target(name, args.cases, rng, Path(d), seed_files[name])
            rows.append(t.row(name))
            print(f"{name:12s} {t.row(name)}  {time.perf_counter() - t0:.0f} s", flush=True)
            for kind, n in t.kinds.most_common(8):
                print(f"    {n:5d} x {kind}")
            for e in t.examples:
                print(e)
    print(f"\n{'target':16s} {'cases':>7s} {'ok':>7s} {'InputError':>10s} {'skipped':>8s} {'bounds':>7s} "
          f"{'hangs':>6s} {'unexpected':>10s}")
    for r in rows:
        print(f"{r['target']:16s} {r['cases']:7d} {r['ok']:7d} {r['input_errors']:10d} {r['records_skipped']:8d} "
              f"{r['bounds_hit']:7d} {r['hangs']:6d} {r['unexpected']:10d}")
    print(f"total {sum(r['cases'] for r in rows):,} cases in {time.perf_counter() - t_all:.0f} s")
    bad = sum(r["unexpected"] + r["hangs"] for r in rows)
    if args.big:
        print("\nbounded resources (whole analysis in a child process, 1 GiB body):")
        big = run_big(1 << 30)
        bad += sum(1 for r in big if r["peak_rss_mib"] >= 1024 or r["crashed"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
