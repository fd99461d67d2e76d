"""Traffic readers and writers: mitmproxy dumps, HAR, hpa JSONL, pcap/pcapng -> model.Flow."""

from importlib import import_module
from typing import Any

# Every name loads on first use: the rooms above import single modules of this one (the public suffix list, host
# names) without paying for the readers, and mitmproxy (~150 ms) loads only for the mitm converters.
_HOME = {"open_capture": "source", "CaptureSource": "source", "ReadStats": "source",
         "flow_from_mitm": "mitm", "flows_from_mitm": "mitm",
         "flow_to_dict": "jsonl", "flow_from_dict": "jsonl", "JsonlWriter": "jsonl"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_HOME)
