"""Claim: one statement of a policy about data, typed. Its JSON form is a claim of hpa.policy/1 (unchanged shape)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass
class Claim:
    action: str                      # collect | use | share | sell | transfer | retain
    polarity: str                    # positive | negative
    data_types: list[str]            # report data-type ids the data words cover
    details: list[str]               # the data words' ontology details ("menstrual_cycle", "advertising_id")
    recipients: list[str] = field(default_factory=list)   # kinds of recipient and canonical company names
    conditions: list[str] = field(default_factory=list)   # exceptions and conditions, as written
    sentence: str = ""
    span: tuple[int, int] | None = None                  # offsets of the sentence in the extracted text

    @property
    def negative(self) -> bool:
        return self.polarity == "negative"

    def but(self, **changes: Any) -> Claim:
        """A copy with some fields changed (lists copied, so the two never share one)."""
        c = replace(self, **changes)
        c.data_types, c.details = list(c.data_types), list(c.details)
        c.recipients, c.conditions = list(c.recipients), list(c.conditions)
        return c

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "polarity": self.polarity, "data_types": list(self.data_types),
                "details": list(self.details), "recipients": list(self.recipients),
                "conditions": list(self.conditions), "sentence": self.sentence,
                "span": list(self.span) if self.span is not None else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        """From a claim of an hpa.policy/1 dict (possibly hand-written: missing lists are empty)."""
        span = d.get("span")
        return cls(action=str(d.get("action") or ""), polarity=str(d.get("polarity") or "positive"),
                   data_types=list(d.get("data_types") or []), details=list(d.get("details") or []),
                   recipients=list(d.get("recipients") or []), conditions=list(d.get("conditions") or []),
                   sentence=str(d.get("sentence") or ""),
                   span=(int(span[0]), int(span[1])) if isinstance(span, (list, tuple)) and len(span) == 2 else None)
