"""A folder holding a mitmproxy dump and mitmproxy's HAR export of it (`mitmdump -nr --set hardump=`): each request
is counted once, also when its time lies beside a millisecond edge, and a request the app sent twice stays twice."""

from __future__ import annotations

from pathlib import Path

from analyzer.model import Flow
from analyzer.traffic import open_capture
from analyzer.traffic.source import SameRequests
from tests.capture.mitmdump import export_har

from .test_mitm import post_flow, write_dump

# HAR keeps this as ...805500 (microseconds, rounded), which rounds to .806 ms while the dump's time rounds to .805
EDGE = 1796535308.8054996


def _timed(t: float, body: bytes):
    f = post_flow(body=body)
    f.request.timestamp_start = t
    f.request.timestamp_end = t + 0.01
    return f


def _folder(tmp_path: Path, flows) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    export_har(write_dump(folder / "app.mitm", flows), folder / "app.har")
    return folder


def test_dump_and_its_har_count_each_request_once_beside_a_millisecond_edge(tmp_path: Path) -> None:
    flows = [_timed(EDGE, b'{"mood":"low"}'), _timed(EDGE + 2.0000004995, b'{"cycle_day":3}'),
             _timed(EDGE + 7.5, b'{"pregnant":true}')]
    src = open_capture(_folder(tmp_path, flows))
    read = [f for f in src if f.kind == "http"]
    assert src.format == "folder"
    assert sorted(f.request_body for f in read) == sorted(f.request.raw_content for f in flows)
    assert src.stats.skipped == {"duplicate_flow": 3}
    assert {f.body_encoding for f in read} == {"mitmproxy:raw"}        # the dump's copies were kept


def test_a_request_sent_twice_stays_twice(tmp_path: Path) -> None:
    same = b'{"event":"period_start"}'
    flows = [_timed(EDGE, same), _timed(EDGE + 0.0003, same), _timed(EDGE + 5, same)]
    src = open_capture(_folder(tmp_path, flows))
    assert len([f for f in src if f.kind == "http"]) == 3
    assert src.stats.skipped == {"duplicate_flow": 3}


def _flow(t: float, body: bytes = b"x", path: str = "/a") -> Flow:
    return Flow(id=str(t), host="h.example", time=t, method="POST", scheme="https", path=path, query="",
                request_headers=[], request_body=body)


def test_same_requests_match_within_a_millisecond_once() -> None:
    seen = SameRequests()
    assert not seen.repeat(_flow(100.0004996))
    assert not seen.repeat(_flow(100.0004996))    # the same file: sent twice, not a copy
    seen.next_file()
    assert seen.repeat(_flow(100.0009))        # a HAR writer that truncates to the millisecond: .000, .0005 rounded
    assert not seen.repeat(_flow(100.003))     # 2.5 ms later: another request
    assert not seen.repeat(_flow(100.0005, b"y")) and not seen.repeat(_flow(100.0005, path="/b"))
    assert seen.repeat(_flow(100.0))
    assert not seen.repeat(_flow(100.0005))    # both copies were used up


def test_a_request_repeated_thousands_of_times_is_matched_copy_by_copy() -> None:
    """A heartbeat: the same bodiless request every second; each copy in the other file matches its own."""
    seen = SameRequests()
    order = list(range(3000))
    order = order[1::2] + order[::2]
    for i in reversed(order):
        assert not seen.repeat(_flow(1000.0 + i + 0.0004))     # read out of order: kept sorted
    seen.next_file()
    assert all(seen.repeat(_flow(1000.0 + i)) for i in order)
    assert not seen.repeat(_flow(1500.0))
