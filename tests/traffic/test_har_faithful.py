"""HAR bodies as on the wire, whatever the exporter; a bad entry never ends a file; what was not read is said."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.traffic import open_capture
from analyzer.traffic.har_body import exporter_of
from tests.integration.cli import hpa

BINARY = gzip.compress(b'{"advertising_id": "38400000-8cf0-11bd-b23e-10b96e40000d"}') + bytes(range(128, 256))


def har(entries: list, creator: str = "some exporter") -> dict:
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": entries}}


def entry(i: int, text: str | None = None, ctype: str = "application/octet-stream", **extra) -> dict:
    req: dict = {"method": "POST", "url": f"https://h{i}.example/p", "headers": [{"name": "content-type", "value": ctype}]}
    if text is not None:
        req["postData"] = {"mimeType": ctype, "text": text, **extra.pop("post", {})}
    req.update(extra)
    return {"startedDateTime": "2026-12-01T10:00:00Z", "request": req, "response": {"status": 200}}


def write(tmp_path: Path, d: dict, name: str = "x.har", ensure_ascii: bool = True) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(d, ensure_ascii=ensure_ascii))
    return p


def test_lone_surrogates_are_bodies_not_corruption(tmp_path: Path) -> None:
    """1,011 entries, one of them a non-UTF-8 body written as \\udcXX escapes (mitmproxy's fallback): all read."""
    entries = [entry(i, "{}", "application/json") for i in range(1011)]
    entries[80] = entry(80, BINARY.decode("utf-8", "surrogateescape"), "application/json")
    for creator in ("mitmproxy", "unknown tool"):
        src = open_capture(write(tmp_path, har(entries, creator)))
        flows = list(src)
        assert len(flows) == 1011 and src.stats.skipped == {}, creator
        assert flows[80].request_body == BINARY and flows[80].body_encoding.endswith("utf-8-surrogateescape")


def test_invalid_utf8_bytes_in_the_file_itself(tmp_path: Path) -> None:
    p = tmp_path / "raw.har"
    p.write_bytes(b'{"log": {"entries": [{"request": {"method": "POST", "url": "https://a.example/", '
                  b'"postData": {"text": "\xff\xfeabc"}}}, {"request": {"url": "https://b.example/"}}]}}')
    flows = list(open_capture(p))
    assert [f.host for f in flows] == ["a.example", "b.example"] and flows[0].request_body == b"\xff\xfeabc"


@pytest.mark.parametrize("creator, rule", [("mitmproxy", "mitmproxy"), ("WebInspector", "devtools"),
                                           ("Firefox", "devtools"), ("HTTP Toolkit", "httptoolkit"),
                                           ("PCAPdroid", "pcapdroid"), ("Charles Proxy", "charles"),
                                           ("Fiddler", "fiddler"), ("Proxyman", "proxyman"), ("", "unknown")])
def test_exporter_rules(creator: str, rule: str) -> None:
    assert exporter_of(creator) == rule


def test_mitmproxy_latin1_and_charset(tmp_path: Path) -> None:
    proto = bytes(range(256))
    entries = [entry(0, proto.decode("latin-1"), "application/x-protobuf"),
               entry(1, "é€ advertising", "text/plain; charset=cp1252"),
               entry(2, "é€ mood", "application/json")]
    f0, f1, f2 = open_capture(write(tmp_path, har(entries, "mitmproxy")))
    assert f0.request_body == proto and f0.body_encoding == "mitmproxy:latin-1"
    assert f1.request_body == "é€ advertising".encode("cp1252") and f1.body_encoding == "mitmproxy:cp1252"
    assert f2.request_body == "é€ mood".encode() and f2.body_encoding == "mitmproxy:utf8"


def test_unknown_exporter_judged_by_what_decodes(tmp_path: Path) -> None:
    gz = gzip.compress(b'{"email": "a@b.example"}')
    text = gz.decode("latin-1")           # an exporter that wrote bytes as latin-1 text
    e_gz = entry(0, text, "application/json")
    e_gz["request"]["headers"].append({"name": "Content-Encoding", "value": "gzip"})
    e_size = entry(1, "ü", "application/octet-stream", bodySize=1)     # one byte on the wire: latin-1
    e_utf8 = entry(2, "ü", "text/plain", bodySize=2)                   # two bytes: UTF-8
    e_tie = entry(3, "ü", "text/plain")
    flows = list(open_capture(write(tmp_path, har([e_gz, e_size, e_utf8, e_tie], "Charles Proxy"))))
    assert flows[0].request_body == b'{"email": "a@b.example"}' and flows[0].body_encoding == "guessed:latin-1"
    assert (flows[1].request_body, flows[1].body_encoding) == (b"\xfc", "guessed:latin-1")
    assert (flows[2].request_body, flows[2].body_encoding) == ("ü".encode(), "guessed:utf-8")
    assert flows[3].body_encoding == "guessed:utf-8"


def test_base64_forms(tmp_path: Path) -> None:
    b64 = base64.b64encode(BINARY).decode()
    entries = [entry(0, b64, post={"encoding": "base64"}),                                   # PCAPdroid, Fiddler
               entry(1, "ignored text", post={"_content": {"text": b64, "encoding": "base64"}}),   # HTTP Toolkit
               entry(2, f"data:application/octet-stream;base64,{b64}")]
    flows = list(open_capture(write(tmp_path, har(entries, "HTTP Toolkit"))))
    assert all(f.request_body == BINARY and f.body_encoding == "base64" for f in flows)


def test_deep_nesting_inside_and_outside_entries(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    good = json.dumps(entry(0, "{}"))
    shallow = "[" * 1500 + "]" * 1500             # deeper than the interpreter's recursion limit, within the sniff
    text = ('{"pages": ' + shallow + ', "log": {"creator": {"name": "x"}, "pages": ' + deep + ', "entries": ['
            + good + ', {"request": {"url": "https://deep.example/", "x": ' + deep + '}}, ' + good + "]}}")
    p = tmp_path / "deep.har"
    p.write_text(text)
    src = open_capture(p)
    assert len(list(src)) == 2 and src.stats.skipped == {"har_entry_too_deep": 1}


def test_bad_entries_say_read_n_of_m(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = [entry(i, "{}") for i in range(5)]
    entries[2] = {"request": {"url": 5}}
    p = write(tmp_path, har(entries))
    report = analyze([p], AnalyzeOptions())
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"hpa: warning: {p}: read 4 of 5 entries (1 bad_har_entry)"]
    assert "x.har: read 4 of 5 entries (1 bad_har_entry)" in report.label.limits
    assert report.input.files[0]["records"] == 4


def test_nothing_readable_is_bad_input(tmp_path: Path) -> None:
    p = write(tmp_path, har([{"request": {"url": 5}}, "junk"]))
    with pytest.raises(InputError) as e:
        list(open_capture(p))
    assert "nothing readable" in e.value.problem
    r = hpa("analyze", p)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"hpa: error: {p}: nothing readable: read 0 of 2 entries (2 bad_har_entry)"]


def test_empty_har_is_not_an_error(tmp_path: Path) -> None:
    src = open_capture(write(tmp_path, har([])))
    assert list(src) == [] and src.read_line() is None


def test_oversized_entries_are_cut_and_the_rest_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry over the bound is read again with its long strings cut; the entries after it are read as usual, and
    a second oversized entry is cut too."""
    from analyzer.traffic import capped_json, json_stream

    monkeypatch.setattr(json_stream, "MAX_ITEM_CHARS", 50_000)
    monkeypatch.setattr(capped_json, "MAX_STRING", 20_000)
    monkeypatch.setattr(capped_json.CappedStrings.__init__, "__defaults__", (20_000,))
    big = "x" * 300_000
    entries = [entry(0, "{}"), entry(1, big), entry(2, '{"email": "a@b.example"}'), entry(3, big), entry(4, "{}")]
    src = open_capture(write(tmp_path, har(entries)))
    flows = list(src)
    assert [f.host for f in flows] == [f"h{i}.example" for i in range(5)]
    assert len(flows[1].request_body) <= 20_004 and flows[2].request_body == b'{"email": "a@b.example"}'
    assert len(flows[3].request_body) <= 20_004
    assert src.stats.skipped == {"har_string_truncated": 2}
