"""Bounds on decoding one flow, and the result type.

Everything hpa decodes is written by software that may not want to be analyzed, so each flow gets a budget:
nesting depth, bytes produced by decoding (decompression, base64), wall time and number of fields.
Hitting a bound is never an error: it is named in `Decoded.bounds_hit` and the walk keeps what it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Field

# Names reported in Decoded.bounds_hit (and counted in InputStats.bounds_hit by the pipeline).
MAX_DEPTH = "max_depth"
MAX_DECODED_BYTES = "max_decoded_bytes"
TIME_BUDGET = "time_budget"
MAX_FIELDS = "max_fields"
OPAQUE_PAYLOAD = "opaque_payload"  # not a bound: a binary body that reads as encrypted (nothing could be searched)
DECODER_ERROR = "decoder_error"   # not a bound: an unexpected exception, caught so one flow cannot stop a run


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 32                      # nesting of containers and decoding steps
    max_decoded_bytes: int = 16 * 1024 * 1024  # per flow: body bytes examined, and bytes produced by decoding
    time_budget_s: float = 0.5               # per flow, checked between steps
    max_fields: int = 20_000                 # per flow
    max_value_chars: int = 65_536            # a longer leaf value is cut (and ends with "…")


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class Decoded:
    fields: list[Field] = field(default_factory=list)
    bounds_hit: list[str] = field(default_factory=list)   # each bound once, in the order first hit


class BudgetExceeded(Exception):
    """Raised inside a decoder when the flow's time or field budget is spent; the walk stops there."""

    def __init__(self, bound: str):
        super().__init__(bound)
        self.bound = bound
