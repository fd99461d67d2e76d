"""Negation and scope as a careful reader takes them: advice, conditions on the reader, disclaimers, questions and
'not limited to' are no negative practice; a denial carries over to the definition that follows; an aside denial
inside a positive sentence is a denial of its own."""

from __future__ import annotations

import pytest

from analyzer.policy import parse_policy_text

from .helpers import claims_of


@pytest.mark.parametrize("text", [
    "Please understand that you are responsible for not sharing your password with anyone.",
    "Do not share your password with any other person.",
    "If you do not agree to this policy, please do not use the app.",
    "If you no longer wish to receive our newsletter, you can unsubscribe by sending us an email.",
    "We do not knowingly collect personal information from children under 13.",
    "We are not responsible for the use of any information you provide to third party websites.",
    "We collect information including, but not limited to, your email address.",
    "Users who do not wish to have cookies placed should set their browsers to refuse cookies.",
    "You can turn off location services; if you do so, we will not collect your location.",
    "Who do we share your location with?",
])
def test_not_a_negative_practice(text: str) -> None:
    assert not claims_of(parse_policy_text(text), polarity="negative")


def test_not_limited_to_keeps_the_positive_claim() -> None:
    d = parse_policy_text("We collect information including, but not limited to, your email address.")
    assert any("email" in c["details"] for c in claims_of(d, "collect", "positive"))


def test_denial_carries_over_to_the_definition() -> None:
    d = parse_policy_text("We do not collect Personal Information. \"Personal Information\" includes your location, "
                          "name and email address.")
    denied = {x for c in claims_of(d, "collect", "negative") for x in c["details"]}
    assert {"location", "email"} <= denied
    assert not claims_of(d, polarity="positive")


def test_verbless_sentence_inherits_the_previous_action() -> None:
    d = parse_policy_text("We collect some information when you register. The information includes your location "
                          "and your email address.")
    got = {x for c in claims_of(d, "collect", "positive") for x in c["details"]}
    assert {"location", "email"} <= got


def test_aside_denial_is_its_own_claim() -> None:
    d = parse_policy_text("We may share some Personal Data (but never any data related to health) with third parties.")
    neg = claims_of(d, "share", "negative")
    assert neg and all("health_fitness.health" in c["data_types"] for c in neg)
    # the positive claim keeps only the broad "personal data": the precise denial governs health data
    assert all(c["details"] == ["personal_data"] for c in claims_of(d, "share", "positive"))


def test_exception_is_kept_as_condition() -> None:
    d = parse_policy_text("Nous ne partageons pas vos données de santé, sauf avec votre médecin.", language="fr")
    c = claims_of(d, "share", "negative")[0]
    assert c["conditions"] and c["conditions"][0].startswith("sauf")


def test_question_heading_is_context_not_a_claim() -> None:
    d = parse_policy_text("# A QUI TRANSMETTONS-NOUS VOS DONNÉES ?\n\nNous transmettons votre adresse e-mail à "
                          "notre prestataire d'envoi.\n", "markdown")
    assert all("?" not in c["sentence"] for c in d["claims"])
    assert claims_of(d, "share", "positive")


def test_numbered_heading_glued_to_its_sentence_is_split() -> None:
    text = ("3. Sharing Your Information We share your email address with Mailchimp.\n\n"
            "4. Health Data We never share your health data with advertisers.\n")
    d = parse_policy_text(text)
    sents = {c["sentence"] for c in d["claims"]}
    assert "We share your email address with Mailchimp." in sents
    assert "We never share your health data with advertisers." in sents
    assert claims_of(d, "share", "negative")[0]["sentence"].startswith("We never")


def test_question_in_a_paragraph_claims_nothing() -> None:
    d = parse_policy_text("What location data do we collect? We collect your city from your IP address.")
    assert all(not c["sentence"].endswith("?") for c in d["claims"])
    assert claims_of(d, "collect", "positive")


@pytest.mark.parametrize("text, language, denied, agent", [
    ("The cookies from our Site do not collect PII.", "en", "personal_data", "cookies"),
    ("Cookies do not collect your location.", "en", "location", "cookies"),
    ("Cookies never store your email address.", "en", "email", "cookies"),
    ("Les cookies ne collectent pas vos données de santé.", "fr", "health_fitness", "cookies"),
])
def test_a_data_term_that_is_the_subject_is_not_denied(text: str, language: str, denied: str, agent: str) -> None:
    """"Cookies do not collect X" denies collecting X, not the use of cookies."""
    neg = claims_of(parse_policy_text(text, language=language), polarity="negative")
    assert neg and all(c["details"] == [denied] for c in neg)
    assert not any(agent in c["details"] for c in neg)


@pytest.mark.parametrize("text, language, denied", [
    ("Cookies are not shared with advertisers.", "en", "cookies"),           # passive: the subject is the object
    ("Your location data will never be shared with advertisers.", "en", "location"),
    ("We do not share cookies with advertisers.", "en", "cookies"),
    ("Vos données de santé ne sont jamais partagées.", "fr", "health_fitness"),
])
def test_a_data_term_the_verb_acts_on_is_still_denied(text: str, language: str, denied: str) -> None:
    neg = claims_of(parse_policy_text(text, language=language), polarity="negative")
    assert any(denied in c["details"] for c in neg)


def test_a_subject_that_does_nothing_to_data_leaves_no_claim() -> None:
    assert not claims_of(parse_policy_text("Cookies do not collect anything else."), polarity="negative")


def test_with_the_exception_of_is_a_condition() -> None:
    d = parse_policy_text("We do not collect personal information with the exception of support contacts.")
    [c] = claims_of(d, "collect", "negative")
    assert "contacts" not in c["details"]
    assert c["conditions"] == ["with the exception of support contacts"]
