"""Odd inputs never crash the reader, and spans always point at their sentence; quality and bench helpers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.policy import claim_kinds, parse_policy_text
from analyzer.policy.text import segment, sentences

from .helpers import claims_of

ALPHABET = st.sampled_from(list("abc XYZ.,;:!?-*#\n\t'’()é") + ["we do not share ", "health data ", "Meta ",
                                                                 "except ", "nous ne vendons ", "- ", "\n## "])


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_any_text_parses_with_valid_spans(text: str) -> None:
    d = parse_policy_text(text, "markdown")
    for c in d["claims"]:
        s, e = c["span"]
        assert 0 <= s <= e <= len(text) and text[s:e] == c["sentence"]
    blocks = segment(text)
    for s in sentences(text, blocks):
        assert text[s.start:s.end] == s.text


def test_inner_condition_is_not_the_object() -> None:
    d = parse_policy_text("We store your nickname and, if you sign in with Google, your email address.")
    c = claims_of(d, "retain")[0]
    assert c["recipients"] == [] and c["conditions"] == ["if you sign in with Google"]
    assert "personal_info.email" in c["data_types"]


def test_do_not_sell_link_label_is_not_a_promise() -> None:
    d = parse_policy_text("We may share identifiers with ad partners. You may opt out in Settings > Do Not Sell or Share.")
    assert not claim_kinds(d)["no_sale_promise"]
    assert claim_kinds(parse_policy_text("We do not sell your data."))["no_sale_promise"]


def test_quality_set_meets_the_target() -> None:
    from bench.policy_quality import evaluate, labeled

    items = labeled()
    assert len(items) >= 12 and sum(p.name.startswith("fr_") for p, _ in items) >= 4
    r = evaluate()
    assert all(v >= 0.9 for v in r["agreement"].values()), r


def test_bench_policy_has_the_requested_size() -> None:
    from bench.policy_bench import make_policy

    text = make_policy(20_000, "fr")
    assert 20_000 <= len(text.split()) <= 21_500
    d = parse_policy_text(text, "markdown")
    assert d["language"] == "fr" and len(d["claims"]) > 500
