"""Traffic readers and writers: mitmproxy dumps, HAR, hpa JSONL, pcap/pcapng -> model.Flow."""

from .jsonl import JsonlWriter, flow_from_dict, flow_to_dict
from .mitm import flow_from_mitm, flows_from_mitm
from .source import CaptureSource, ReadStats, open_capture

__all__ = ["open_capture", "CaptureSource", "ReadStats", "flow_from_mitm", "flows_from_mitm",
           "flow_to_dict", "flow_from_dict", "JsonlWriter"]
