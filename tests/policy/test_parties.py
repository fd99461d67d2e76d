"""Every company a policy names, with its role and sentence; its own company is the first party, not a recipient;
signing in with Facebook is a condition, not sharing with Facebook."""

from __future__ import annotations

from analyzer.policy import parse_policy_text

POLICY = """# Privacy Policy

Acme Health Ltd. ("we", "us") runs the Acme app. Contact: privacy@acmehealth.example

## Who receives your data

We share device identifiers with advertising partners such as Quuxly Ads, Zorbit Media and Meta.
We use service providers, including Hostwell Cloud and Sentry, to run the app.
Acme Health does not share your health data with advertisers.

## Subprocessors

| Subprocessor | Purpose | Location |
|---|---|---|
| Mailbeam | e-mail delivery | EU |
| Datavault Systems | backups | Germany |

## Signing in

We collect your name and e-mail address when you sign in with Facebook.
"""


def _parties(text: str) -> dict[str, dict]:
    d = parse_policy_text(text, "markdown")
    return d, {t["entity"]: t for t in d["third_parties"]}


def test_every_named_company_has_a_role_and_sentence() -> None:
    d, tp = _parties(POLICY)
    assert {"Quuxly Ads", "Zorbit Media", "Meta", "Hostwell Cloud", "Sentry", "Mailbeam", "Datavault Systems"} <= set(tp)
    assert tp["Quuxly Ads"]["role"] == "advertising" and "such as Quuxly Ads" in tp["Quuxly Ads"]["sentence"]
    assert tp["Hostwell Cloud"]["role"] == "service_provider"
    assert tp["Mailbeam"]["role"] == "service_provider" and "Mailbeam" in tp["Mailbeam"]["sentence"]
    # words of a list that are not names end it: no "Purpose", no "EU", no data
    assert not {"Purpose", "EU", "Germany", "Location"} & set(tp)


def test_own_company_is_first_party_never_a_recipient() -> None:
    d, tp = _parties(POLICY)
    assert d["first_party"] == "Acme Health"
    assert "Acme Health" not in tp
    assert all("Acme Health" not in c["recipients"] for c in d["claims"])


def test_sign_in_with_facebook_is_a_condition_not_sharing() -> None:
    d, _ = _parties(POLICY)
    signin = [c for c in d["claims"] if "sign in with Facebook" in c["sentence"]]
    assert signin and all("Meta" not in c["recipients"] for c in signin)
    assert any("sign in with Facebook" in " ".join(c["conditions"]) for c in signin)
