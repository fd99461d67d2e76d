"""hpa sinkhole: a mitmproxy addon that answers every request itself, so no captured data reaches the real servers.

Standalone:  mitmdump -s addons/hpa_sinkhole.py --set hpa_sinkhole=true     (with the recorder: add -s hpa_recorder.py)
In-process:  `hpa capture --sinkhole` loads this same file beside the recorder (analyzer/capture/proxy.py).

Modelled on mitmproxy's own `blocklist` addon: it answers in the `request` hook and marks each flow it answered
(`flow.metadata["hpa.sinkhole"] = True`, kept in mitmproxy dumps), so a reader can tell a sinkhole's answer from a
server's. The answer is plausible and empty: a small JSON object to clients that expect JSON, 204 to the rest.
It needs nothing of hpa, only mitmproxy.
"""

from __future__ import annotations

from typing import Any

from mitmproxy import ctx, http

SINKHOLE_KEY = "hpa.sinkhole"
HEADER = "x-hpa-sinkhole"


def sinkhole_response(req: http.Request) -> http.Response:
    """A plausible empty answer: small JSON to clients that expect JSON, 204 to the rest."""
    hdr = {HEADER: "1"}
    accept = req.headers.get("accept", "") + req.headers.get("content-type", "")
    if "json" in accept:
        return http.Response.make(200, b"{}", {**hdr, "content-type": "application/json"})
    return http.Response.make(204, b"", hdr)


class HpaSinkhole:
    def load(self, loader: Any) -> None:
        loader.add_option("hpa_sinkhole", bool, False,
                          "Answer every request locally (204 / small JSON) so no captured data reaches real servers.")

    def configure(self, updated: set[str]) -> None:
        if "hpa_sinkhole" in updated and ctx.options.hpa_sinkhole and ctx.options.connection_strategy != "lazy":
            # lazy: no upstream connection (nor DNS lookup) before the request hook has answered
            ctx.options.update(connection_strategy="lazy")

    def request(self, flow: http.HTTPFlow) -> None:
        if not ctx.options.hpa_sinkhole or flow.response is not None or flow.error or not flow.live:
            return
        flow.response = sinkhole_response(flow.request)
        flow.metadata[SINKHOLE_KEY] = True


addons = [HpaSinkhole()]
