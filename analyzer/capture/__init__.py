"""Capture: run an app (device, emulator, manual set-up or the built-in simulator) through mitmproxy + the hpa
recorder, and leave a run folder `<output>/<app_id>/<run_id>/` for the analysis (flows.jsonl, flows.mitm,
capture.pcap when captured, meta.json, persona.json)."""

from typing import Any

__all__ = ["CaptureOptions", "run_capture"]


def __getattr__(name: str) -> Any:
    # loaded on first use: `hpa analyze` reads capture.meta only, and the proxy and device code (asyncio,
    # mitmproxy) cost ~50 ms to import
    if name == "CaptureOptions":
        from .options import CaptureOptions

        return CaptureOptions
    if name == "run_capture":
        from .run import run_capture

        return run_capture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
