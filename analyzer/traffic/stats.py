"""What a reader read and what it could not: records read whole, records skipped by reason, a file cut short."""

from __future__ import annotations

from dataclasses import dataclass, field

# skip reasons that say the rest of the file was lost (not one record)
CUT = frozenset({"har_truncated_or_corrupt", "mitm_truncated_or_corrupt", "pcap_truncated_or_corrupt"})
# reasons that count something cut inside a record that was still read
NOT_RECORDS = frozenset({"har_string_truncated", "duplicate_flow"})
UNITS = {"har": "entries", "mitm": "records", "jsonl": "lines", "pcap": "packets"}


@dataclass
class ReadStats:
    flows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    records: int = 0                # records read whole: HAR entries, dump records, JSONL lines, packets

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n


def records_skipped(skipped: dict[str, int]) -> int:
    return sum(n for r, n in skipped.items() if r not in CUT and r not in NOT_RECORDS)


def read_line(fmt: str, records: int, skipped: dict[str, int]) -> str | None:
    """"read N of M entries (reasons)", or None when nothing was lost."""
    if not skipped:
        return None
    unit = UNITS.get(fmt, "records")
    total = records + records_skipped(skipped)
    reasons = ", ".join(f"{n} {r}" for r, n in sorted(skipped.items()))
    cut = "; the file is cut short, what follows was not read" if CUT & skipped.keys() else ""
    return f"read {records} of {total} {unit} ({reasons}){cut}"
