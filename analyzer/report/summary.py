"""What a report says of its inputs: short summaries of the policy and the Data-safety form that were read."""

from __future__ import annotations

from typing import Any


def policy_summary(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    """hpa.policy/1 -> the report's `policy` key: where it came from, its language, how many claims, whom it names."""
    if not policy:
        return None
    return {
        "source": policy.get("source"),
        "language": policy.get("language"),
        "claims": len(policy.get("claims", [])),
        "third_parties": [t.get("entity") for t in policy.get("third_parties", [])],
    }


def data_safety_summary(ds: Any) -> dict[str, Any] | None:
    """A DataSafety form -> the report's `data_safety` key: its source, the blanket answers, the types declared."""
    if ds is None:
        return None
    return {
        "source": ds.source,
        "no_data_shared": ds.no_data_shared,
        "no_data_collected": ds.no_data_collected,
        "shared": sorted(k for k, e in ds.data_types.items() if e.shared),
        "collected": sorted(k for k, e in ds.data_types.items() if e.collected),
    }
