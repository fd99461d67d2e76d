"""Traffic readers and writers: mitmproxy dumps, HAR, hpa JSONL, pcap/pcapng -> model.Flow."""

from typing import Any

from .jsonl import JsonlWriter, flow_from_dict, flow_to_dict
from .source import CaptureSource, ReadStats, open_capture


def __getattr__(name: str) -> Any:
    # mitmproxy costs ~150 ms to import: only the mitm converters need it, so they load on first use
    if name in ("flow_from_mitm", "flows_from_mitm"):
        from . import mitm

        return getattr(mitm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["open_capture", "CaptureSource", "ReadStats", "flow_from_mitm", "flows_from_mitm",
           "flow_to_dict", "flow_from_dict", "JsonlWriter"]
