"""Findings and labels: what the evidence adds up to."""

from .rules import RULES, decide_label, derive_findings

__all__ = ["RULES", "decide_label", "derive_findings"]
