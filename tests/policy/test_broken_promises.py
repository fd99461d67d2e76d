"""The documented broken promises of health apps come out `incorrect`, with the promise quoted first.

Policy texts are written in the style of the real cases (a period tracker's 2019 policy, a French pregnancy app);
the data flows are what the traffic showed: cycle and pregnancy events to Meta, Google and AppsFlyer; health data to
Meta and Adjust."""

from __future__ import annotations

import pytest

from analyzer.policy import assess_data_flows, parse_policy_text

from .helpers import flow

PERIOD_TRACKER = """# Privacy Policy

Last updated: May 2019

## 1. Information we collect

When you register, we collect your email address, your name and your date of birth. You may also enter information
about your menstrual cycle, pregnancy, symptoms and moods ("Health Data"). The information includes your device
model, operating system, and advertising identifier.

## 2. How we use your information

We use your information to provide the predictions of the App, to improve it and to communicate with you. We use
analytics services to understand how users interact with the App.

## 3. Sharing your information

We may share some Personal Data (but never any data related to health) with third parties, such as analytics and
marketing providers, to help us run the App. We may share information with our service providers, including
Google, Facebook and AppsFlyer, which process it on our behalf. We may disclose information if required by law.

## 4. Trademarks

Flo is a trademark of our company. Nothing in this policy grants you a licence to use it.
"""

FRENCH = """# Politique de confidentialité

## Quelles données collectons-nous ?

Nous collectons votre adresse e-mail, vos dates de règles, vos symptômes et le suivi de votre grossesse.

## À qui transmettons-nous vos données ?

Nous partageons certaines données avec nos partenaires, notamment Meta et Adjust, uniquement pour vous identifier
et mesurer nos campagnes publicitaires. Nous ne communiquons jamais d'information relative à votre santé à ces
partenaires.

## Propriété intellectuelle

Les marques et logos de l'application sont la propriété exclusive de la société.

## COMPTES INACTIFS

Les comptes inactifs depuis trois ans sont supprimés.
"""

TRACKER_FLOWS = [("Meta", ["advertising", "social"]), ("Google", ["advertising", "analytics"]),
                 ("AppsFlyer", ["attribution", "analytics"])]


@pytest.mark.parametrize("entity,cats", TRACKER_FLOWS)
def test_period_tracker_health_to_trackers_is_incorrect(entity: str, cats: list[str]) -> None:
    df = flow("health_fitness.health", entity, categories=cats)
    assess_data_flows([df], parse_policy_text(PERIOD_TRACKER, "markdown"), None)
    assert df.consistency == "incorrect"
    first = df.policy_evidence[0]
    assert "never any data related to health" in first.sentence and first.polarity == "negative"
    assert len(df.policy_evidence) <= 2
    assert all("trademark" not in e.sentence for e in df.policy_evidence)


def test_period_tracker_advertising_id_is_still_allowed() -> None:
    df = flow("device_ids", "AppsFlyer", categories=["attribution", "analytics"])
    assess_data_flows([df], parse_policy_text(PERIOD_TRACKER, "markdown"), None)
    assert df.consistency in ("clear", "vague")


@pytest.mark.parametrize("entity,cats", [("Meta", ["advertising", "social"]), ("Adjust", ["attribution"])])
def test_french_promise_to_partners_is_broken_by_health_data(entity: str, cats: list[str]) -> None:
    df = flow("health_fitness.health", entity, categories=cats)
    assess_data_flows([df], parse_policy_text(FRENCH, "markdown"), None)
    assert df.consistency == "incorrect"
    assert df.policy_evidence[0].sentence.startswith("Nous ne communiquons jamais")
    assert len(df.policy_evidence) <= 2
    quoted = " ".join(e.sentence for e in df.policy_evidence)
    assert "COMPTES INACTIFS" not in quoted and "marques" not in quoted


def test_french_identifier_exception_still_allows_device_ids() -> None:
    df = flow("device_ids", "Adjust", categories=["attribution"])
    assess_data_flows([df], parse_policy_text(FRENCH, "markdown"), None)
    assert df.consistency in ("clear", "vague")
