"""Each consistency value, with data flows built here and policies parsed from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.policy import assess_data_flows, load_data_safety, parse_policy_text, read_policy

from .helpers import flow

ROOT = Path(__file__).resolve().parents[2]
META = dict(entity="Meta", categories=["advertising", "social"])


def verdict(policy_text: str, df) -> str:
    assess_data_flows([df], parse_policy_text(policy_text), None)
    return df.consistency


@pytest.mark.parametrize("text,data_type,who,expected", [
    ("We share your advertising ID with Meta.", "device_ids", META, "clear"),
    ("We share your advertising ID with advertising partners.", "device_ids", META, "clear"),
    ("We may share information with our partners for marketing.", "health_fitness.health", META, "vague"),
    ("We share your health data with third parties.", "health_fitness.health", META, "vague"),
    ("We collect your email address.", "device_ids", META, "omitted"),
    ("We never share your health data with third parties.", "health_fitness.health", META, "incorrect"),
    ("Aucune donnée de santé n'est partagée avec des tiers.", "health_fitness.health", META, "incorrect"),
    ("We never share your health data with third parties. We share your health data with partners.",
     "health_fitness.health", META, "ambiguous"),
    ("We do not share your data with third parties without your consent.", "personal_info.email", META, "ambiguous"),
])
def test_each_value(text: str, data_type: str, who: dict, expected: str) -> None:
    df = flow(data_type, **who)
    assert verdict(text, df) == expected
    if expected != "omitted":
        assert df.policy_evidence and df.policy_evidence[0].sentence in text
        assert df.policy_evidence[0].span is not None


def test_exception_covering_the_recipient_lifts_the_denial() -> None:
    text = "We do not share your personal data with third parties, except with service providers who process crash reports."
    sentry = flow("app_info.crash_logs", "Sentry", party="service_provider", categories=["crash_reporting"])
    meta = flow("app_info.crash_logs", **META)
    assess_data_flows([sentry, meta], parse_policy_text(text), None)
    assert sentry.consistency in ("clear", "vague") and meta.consistency == "incorrect"


def test_legal_exception_does_not_cover_an_ad_network() -> None:
    assert verdict("We never share your location except where required by law.",
                   flow("location.precise", **META)) == "incorrect"


def test_more_precise_statement_governs() -> None:
    text = "We do not share your personal data with third parties. We send crash reports to Sentry."
    assert verdict(text, flow("app_info.crash_logs", "Sentry", party="service_provider",
                              categories=["crash_reporting"])) == "clear"
    text = "We share information with partners. We never share your mood logs with advertisers."
    assert verdict(text, flow("health_fitness.health", **META)) == "incorrect"


def test_no_sale_promise_is_not_broken_by_sharing() -> None:
    df = flow("device_ids", **META)
    assert verdict("We never sell your data.", df) == "omitted"
    assert df.policy_evidence and df.policy_evidence[0].action == "sell"   # still shown to the reader


def test_first_party_flows_and_missing_inputs_are_left_alone() -> None:
    own = flow("personal_info.email", None, party="first")
    third = flow("personal_info.email", "Braze", categories=["marketing"])
    assess_data_flows([own, third], None, None)
    assert own.consistency is None and third.consistency is None and third.data_safety is None
    assess_data_flows([own, third], parse_policy_text("We share your email with Braze."), None)
    assert own.consistency is None and third.consistency == "clear" and third.data_safety is None


def test_unknown_recipient_is_covered_only_by_third_parties() -> None:
    unknown = flow("device_ids", None, party="unknown")
    assert verdict("We share device identifiers with analytics providers.", unknown) == "omitted"
    unknown = flow("device_ids", None, party="unknown")
    assert verdict("We share device identifiers with third parties.", unknown) == "vague"


DEMO = [
    ("cycle.md", "health_fitness.health", META, "incorrect", "undeclared"),
    ("cycle.md", "device_ids", dict(entity="AppsFlyer", categories=["attribution"]), "clear", "undeclared"),
    ("mindful.html", "health_fitness.health", META, "vague", "undeclared"),
    ("mindful.html", "device_ids", dict(entity="Google", categories=["analytics", "advertising"]), "vague", "declared"),
    ("stride.md", "health_fitness.fitness", dict(entity="Amplitude", categories=["analytics"]), "clear", "declared"),
    ("stride.md", "device_ids", dict(entity="Adjust", categories=["attribution"]), "clear", "declared"),
    ("stride.md", "device_ids", dict(entity="OneSignal", categories=["push"]), "clear", "declared"),
    ("notes.md", "app_info.crash_logs", dict(entity="Sentry", party="service_provider", categories=["crash_reporting"]),
     "clear", "declared"),
    ("grossesse.html", "health_fitness.health", META, "incorrect", "undeclared"),
    ("grossesse.html", "health_fitness.health", dict(entity="Google", categories=["analytics", "advertising"]),
     "incorrect", "undeclared"),
]


@pytest.mark.parametrize("policy,data_type,who,consistency,declared", DEMO)
def test_demo_apps(policy: str, data_type: str, who: dict, consistency: str, declared: str) -> None:
    df = flow(data_type, **who)
    form = load_data_safety(ROOT / "demo" / "data_safety" / (policy.split(".")[0] + ".json"))
    assess_data_flows([df], read_policy(ROOT / "policies" / policy), form)
    assert (df.consistency, df.data_safety) == (consistency, declared)


def test_only_restriction_excludes_everyone_else() -> None:
    text = "We only share your personal data with service providers who act on our behalf."
    sentry = flow("app_info.crash_logs", "Sentry", party="service_provider", categories=["crash_reporting"])
    meta = flow("device_ids", **META)
    assess_data_flows([sentry, meta], parse_policy_text(text), None)
    assert sentry.consistency == "vague" and meta.consistency == "incorrect"
    df = flow("health_fitness.health", **META)
    assert verdict("Vos données de santé ne sont accessibles qu'à votre psychologue.", df) == "incorrect"
