"""Capture: run an app (device, emulator, manual set-up or the built-in simulator) through mitmproxy + the hpa
recorder, and leave a run folder `<output>/<app_id>/<run_id>/` for the analysis (flows.jsonl, flows.mitm,
capture.pcap when captured, meta.json, persona.json)."""

from .options import CaptureOptions
from .run import run_capture

__all__ = ["CaptureOptions", "run_capture"]
