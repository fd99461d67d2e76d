"""Structures inside strings: a form or a URL with its own query inside a value is split, with `|form` / `|url`
steps in the locations, so adapter paths and key rules reach the fields inside."""

import json
import urllib.parse

from analyzer.decode import decode_flow
from analyzer.detect import Detector

from ..detect.wire import form, js, request


def locs(flow):
    return {f.location: f.value for f in decode_flow(flow).fields}


def test_form_inside_a_json_string_and_semicolon_pairs():
    body = js({"event": "log", "payload": "mood=anxious&cycle_day=14", "ctx": "sid=ab12cd34;lang=fr"})
    got = locs(request("https://api.example-sdk.io/v1/e", body, "application/json"))
    assert got["body.json.payload"] == "mood=anxious&cycle_day=14"       # the whole value stays a leaf
    assert got["body.json.payload|form.mood"] == "anxious"
    assert got["body.json.payload|form.cycle_day"] == "14"
    assert got["body.json.ctx|form.lang"] == "fr"
    dets = Detector().detect(request("https://api.example-sdk.io/v1/e", body, "application/json"),
                             decode_flow(request("https://api.example-sdk.io/v1/e", body, "application/json")).fields)
    assert any(d.location == "body.json.payload|form.mood" and d.details == "mood" for d in dets)


def test_url_with_its_own_query_inside_a_query_value():
    # an attribution click URL (deep link) carried as a parameter of a pixel request
    inner = "https://app.example.com/open?aaid=60e5d787-7b10-4341-8289-a784280e7f1f&utm_source=fb"
    flow = request("https://t.example-ads.com/px?" + urllib.parse.urlencode({"r": inner, "ev": "open"}), method="GET")
    got = locs(flow)
    assert got["query.r|url.aaid"] == "60e5d787-7b10-4341-8289-a784280e7f1f"
    dets = Detector().detect(flow, decode_flow(flow).fields)
    assert any(d.location == "query.r|url.aaid" and d.details == "advertising_id" for d in dets)


def test_plain_text_and_base64_padding_are_not_forms():
    body = form({"note": "felt ok today = fine", "token": "aGVsbG8gd29ybGQ=", "k": "a==b"})
    got = locs(request("https://api.example.io/v1/n", body, "application/x-www-form-urlencoded"))
    assert not [k for k in got if "|form" in k or "|url" in k]
