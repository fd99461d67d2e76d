"""The headline promises of a policy, as booleans (used by the quality benchmark and available to reports)."""

from __future__ import annotations

from typing import Any

from .claim import Claim
from .claims import SHARING, detail_nodes, restricted
from .companies import company_categories
from .lexicon import data_ontology

ADS_ANALYTICS = {"advertising", "analytics", "marketing"}
ADS_ANALYTICS_COMPANY = {"advertising", "analytics", "attribution", "marketing"}
PROCESSORS = {"service_provider", "affiliate", "law_enforcement"}
LOCATION_NODES = {"location", "precise_location", "approximate_location"}


def _nodes(claim: Claim) -> set[str]:
    nodes = detail_nodes()
    return {nodes.get(d, d) for d in claim.details}


def _health_specific(claim: Claim) -> bool:
    onto = data_ontology()
    return any(n in onto and n != "personal_data" and "health_fitness.health" in onto[n].ids for n in _nodes(claim))


def _ads_analytics(c: Claim) -> bool:
    if not (c.action in SHARING or c.recipients):
        return False
    recs = set(c.recipients)
    if ADS_ANALYTICS & recs:
        return True
    # companies named as processors ("service providers for hosting (Google Cloud)") or as the place data is
    # stored ("stored on servers provided by Amazon Web Services") are not ad/analytics sharing
    if "service_provider" in recs or c.action == "retain":
        return False
    return any(ADS_ANALYTICS_COMPANY & set(company_categories(r)) for r in recs)


def claim_kinds(policy: dict[str, Any]) -> dict[str, Any]:
    claims = [Claim.from_dict(d) for d in policy.get("claims", [])]
    pos = [c for c in claims if not c.negative]
    neg = [c for c in claims if c.negative]
    return {
        "no_sale_promise": any(c.action == "sell" for c in neg),
        "no_health_sharing_promise": any(c.action in SHARING and _health_specific(c) for c in neg) or any(
            # "your health data is accessible only to your therapist" / "shared only with our processors"
            c.action in SHARING and _health_specific(c) and restricted(c, policy.get("language") or "en")
            and set(c.recipients) <= PROCESSORS for c in pos),
        "shares_with_ads_analytics": any(_ads_analytics(c) for c in pos),
        "named_companies": sorted(t["entity"] for t in policy.get("third_parties", [])),
        "collects_advertising_id": any("advertising_id" in c.details for c in pos),
        "collects_location": any(_nodes(c) & LOCATION_NODES and c.action in ("collect", "use", "share", "transfer")
                                 for c in pos),
    }
