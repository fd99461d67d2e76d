"""What the app promises: privacy policies (EN/FR) and Play Data-safety forms, and their consistency with traffic.

- `read_policy(path_or_url) -> dict` (hpa.policy/1), `parse_policy_text(text, fmt) -> dict`
- `load_data_safety(path) -> DataSafety`
- `assess_data_flows(data_flows, policy, data_safety) -> None`
"""

from __future__ import annotations

from .consistency import assess_data_flows, assess_flow
from .data_safety import DataSafety, DataSafetyEntry
from .data_safety_load import load_data_safety
from .reader import POLICY_SCHEMA, parse_policy_text, read_policy
from .summary import claim_kinds

__all__ = ["POLICY_SCHEMA", "read_policy", "parse_policy_text", "load_data_safety", "DataSafety", "DataSafetyEntry",
           "assess_data_flows", "assess_flow", "claim_kinds"]
