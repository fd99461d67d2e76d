"""Claim extraction: negation and its scope, exceptions, enumerations, headings, lists, French."""

from __future__ import annotations

import pytest

from analyzer.policy import parse_policy_text
from analyzer.policy.text import load_source

from .helpers import claims_of


def one(text: str, action: str, **kw) -> dict:
    got = claims_of(parse_policy_text(text, **kw), action)
    assert len(got) == 1, got
    return got[0]


@pytest.mark.parametrize("text,action", [
    ("We do not sell your personal data.", "sell"),
    ("We will never share your information with advertisers.", "share"),
    ("We don't share your health data with advertisers.", "share"),
    ("Your data is not sold to anyone.", "sell"),
    ("Under no circumstances do we disclose your cycle history.", "share"),
    ("None of your health data is shared with third parties.", "share"),
])
def test_english_negations(text: str, action: str) -> None:
    assert one(text, action)["polarity"] == "negative"


def test_negation_scope_stops_at_but_and_new_subject() -> None:
    d = parse_policy_text("We do not sell your personal data, but we share usage data with Amplitude for analytics.")
    assert claims_of(d, "sell")[0]["polarity"] == "negative"
    share = claims_of(d, "share")[0]
    assert share["polarity"] == "positive"
    assert "Amplitude" in share["recipients"] and "app_activity.interactions" in share["data_types"]
    d = parse_policy_text("We do not sell your data and we share your email with Braze.")
    assert claims_of(d, "share")[0]["polarity"] == "positive"


def test_coordinated_verbs_inherit_negation() -> None:
    d = parse_policy_text("We do not sell or rent your data.")
    assert [c["polarity"] for c in d["claims"]] == ["negative"]   # sell and rent are one action
    d = parse_policy_text("We will never sell, share or disclose your mood logs.")
    assert {(c["action"], c["polarity"]) for c in d["claims"]} == {("sell", "negative"), ("share", "negative")}


def test_exception_qualifies_and_keeps_recipients_apart() -> None:
    c = one("We do not share your health data with third parties except with service providers who host our servers.",
            "share")
    assert c["polarity"] == "negative"
    assert c["recipients"] == ["third_party"]            # service providers belong to the exception, not the claim
    assert c["conditions"] and c["conditions"][0].startswith("except with service providers")
    c = one("We never share your email unless you consent.", "share")
    assert c["conditions"] == ["unless you consent"]


def test_enumeration_maps_each_term() -> None:
    c = one("We collect your name, email and health data.", "collect")
    assert {"personal_info.name", "personal_info.email", "health_fitness.health"} <= set(c["data_types"])
    assert "personal_info.phone" not in c["data_types"]


def test_vague_terms_cover_their_whole_range() -> None:
    c = one("We share personal data with partners.", "share")
    assert len(c["data_types"]) == 37 and c["details"] == ["personal_data"] and c["recipients"] == ["third_party"]
    c = one("Nous partageons vos données de santé avec des partenaires.", "share")
    assert c["data_types"] == ["health_fitness.health", "health_fitness.fitness"]


def test_heading_gives_a_paragraph_its_subject() -> None:
    d = parse_policy_text("# Policy\n\n## Health data\n\nWe never share it with third parties.\n", "markdown")
    c = claims_of(d, "share")[0]
    assert c["polarity"] == "negative" and c["data_types"] == ["health_fitness.health", "health_fitness.fitness"]
    # plain text: a short line standing alone is a heading too
    d = parse_policy_text("Location\n\nWe never sell it.\n")
    assert claims_of(d, "sell")[0]["data_types"] == ["location.approximate", "location.precise"]


def test_pronoun_refers_to_the_last_data_named() -> None:
    d = parse_policy_text("We collect your advertising ID. We share it with AppsFlyer.")
    c = claims_of(d, "share")[0]
    assert c["data_types"] == ["device_ids"] and c["recipients"] == ["AppsFlyer"]


def test_partner_list_items_inherit_the_intro() -> None:
    text = ("## Partners\n\nWe share information with the following partners:\n\n"
            "- Facebook Analytics (advertising)\n- Flurry\n- Fabric, for crash reports\n\n"
            "We do not share your cycle data with these companies.\n")
    d = parse_policy_text(text, "markdown")
    shares = claims_of(d, "share", "positive")
    assert [c["recipients"] for c in shares[1:]] == [["Meta"], ["Yahoo"], ["Google"]]
    assert shares[3]["data_types"] == ["app_info.crash_logs"]
    neg = claims_of(d, "share", "negative")[0]
    assert neg["recipients"] == ["Meta", "Yahoo", "Google"]
    assert {t["entity"] for t in d["third_parties"]} == {"Meta", "Yahoo", "Google"}


@pytest.mark.parametrize("text,action,polarity", [
    ("Nous ne vendons jamais vos données.", "sell", "negative"),
    ("Aucune donnée de santé n'est partagée avec des tiers.", "share", "negative"),
    ("Nous ne partageons pas vos données de cycle.", "share", "negative"),
    ("Vos données ne seront jamais transmises à des annonceurs.", "share", "negative"),
    ("Nous ne partageons vos données qu'avec nos sous-traitants.", "share", "positive"),   # ne ... que = only
    ("Nous partageons votre identifiant publicitaire avec Meta.", "share", "positive"),
])
def test_french(text: str, action: str, polarity: str) -> None:
    d = parse_policy_text(text)
    assert d["language"] == "fr"
    assert claims_of(d, action)[0]["polarity"] == polarity


def test_french_exception_and_recipients() -> None:
    c = one("Nous ne partageons pas vos données de santé, sauf consentement de votre part.", "share")
    assert c["polarity"] == "negative" and c["conditions"] == ["sauf consentement de votre part"]
    c = one("Nous partageons votre identifiant publicitaire avec Meta et Google à des fins publicitaires.", "share")
    assert set(c["recipients"]) == {"Meta", "Google", "advertising"} and c["data_types"] == ["device_ids"]


def test_anonymized_data_is_not_personal() -> None:
    c = one("We share aggregated statistics with researchers.", "share")
    assert c["data_types"] == [] and c["details"] == ["anonymized"]


def test_spans_point_into_the_extracted_text(tmp_path) -> None:
    p = tmp_path / "p.md"
    p.write_text("# Privacy\n\nWe collect your e.g. email. We never sell it!\n\n- We share crash logs with Sentry.\n")
    from analyzer.policy import read_policy
    d = read_policy(p)
    text, _ = load_source(p)
    assert d["claims"]
    for c in d["claims"]:
        s, e = c["span"]
        assert text[s:e] == c["sentence"]
    assert [c["sentence"] for c in d["claims"]][:2] == ["We collect your e.g. email.", "We never sell it!"]


def test_company_wordings_are_canonical_and_common_words_are_not_companies() -> None:
    d = parse_policy_text("Adjust your settings at any time. We use Adjust and Branch Metrics for attribution, "
                          "and Crashlytics for crashes. Tap a branch of the menu.")
    assert {t["entity"] for t in d["third_parties"]} == {"Adjust", "Branch", "Google"}


def test_contact_domains_are_the_controllers() -> None:
    d = parse_policy_text("Write to privacy@cycletrack.co.uk or visit https://help.cycletrack.co.uk/privacy. "
                          "Facebook's policy: https://www.facebook.com/policy.php")
    assert d["contact_domains"] == ["cycletrack.co.uk"]


def test_lexicon_details_never_name_another_ontology_node() -> None:
    from analyzer.policy.lexicon import data_ontology, lexicon
    onto = data_ontology()
    for lang in ("en", "fr"):
        for t in lexicon(lang).data_terms:
            assert t.node in onto, t
            if t.detail and t.detail != "fallback":
                assert t.detail not in onto or t.detail == t.node, (lang, t)


def test_heading_that_is_a_promise_counts_but_a_topic_does_not() -> None:
    d = parse_policy_text("# We never sell your data\n\nSome text here.\n\n## Selling of data\n\nMore text.\n", "markdown")
    sells = claims_of(d, "sell")
    assert [(c["polarity"], c["sentence"]) for c in sells] == [("negative", "We never sell your data")]
    d = parse_policy_text("## Les données que nous collectons\n\nVotre adresse e-mail.\n", "markdown")
    assert not any(c["sentence"].startswith("Les données") for c in d["claims"])
    assert claims_of(d, "collect")[0]["data_types"] == ["personal_info.email"]   # the item inherits the topic


def test_negated_list_item_flips_the_intro() -> None:
    d = parse_policy_text("We work with these services:\n\n- Amplitude, for product analytics\n- No advertising SDKs\n",
                          "markdown")
    pol = {tuple(c["recipients"]): c["polarity"] for c in claims_of(d, "share")}
    assert pol[("Amplitude",)] == "positive" and pol[("advertising",)] == "negative"
