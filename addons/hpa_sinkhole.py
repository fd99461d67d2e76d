"""hpa sinkhole: a mitmproxy addon that answers every request itself, so no captured data reaches the real servers.

Standalone:  mitmdump -s addons/hpa_sinkhole.py --set hpa_sinkhole=true     (with the recorder: add -s hpa_recorder.py)
In-process:  `hpa capture --sinkhole` loads this same file beside the recorder (analyzer/capture/proxy.py).

Modelled on mitmproxy's own `blocklist` addon: it answers in the `request` hook and marks each flow it answered
(`flow.metadata["hpa.sinkhole"] = True`, kept in mitmproxy dumps), so a reader can tell a sinkhole's answer from a
server's. The answer is plausible and empty: a small JSON object to clients that expect JSON, 204 to the rest.
It needs nothing of hpa, only mitmproxy.

Answering HTTP is not enough: after a CONNECT a client may speak raw TCP (MQTT, a custom protocol), or raw UDP in
WireGuard mode, and mitmproxy would relay it. So the sinkhole also refuses every upstream connection
(`server_connect`), whatever the layer, and keeps the first bytes such a client sent in its flow (marked like the
answered ones) so a recorder can write what was attempted. DNS (WireGuard and DNS modes) is answered here too: a
query resolved upstream would carry its name (`<android id>.collect.tracker.example`) to the tracker's own name
servers. A and AAAA get a documentation address, which inside the tunnel reaches the proxy like any other; this
hook must run before mitmproxy's resolver, as it does when loaded with `-s` (hpa inserts it there).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from mitmproxy import ctx, dns, http, tcp, udp
from mitmproxy.proxy import layers, server_hooks
from mitmproxy.proxy.layer import NextLayer

SINKHOLE_KEY = "hpa.sinkhole"
HEADER = "x-hpa-sinkhole"
REFUSED = "hpa sinkhole: no upstream connection"
SINK_V4 = ipaddress.IPv4Address("192.0.2.1")       # TEST-NET-1 / documentation prefix: never a real server
SINK_V6 = ipaddress.IPv6Address("2001:db8::1")


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

    def dns_request(self, flow: dns.DNSFlow) -> None:
        if not ctx.options.hpa_sinkhole or flow.response is not None or flow.error or not flow.live:
            return
        answers = []
        for q in flow.request.questions:
            if q.class_ == dns.classes.IN and q.type == dns.types.A:
                answers.append(dns.ResourceRecord.A(q.name, SINK_V4))
            elif q.class_ == dns.classes.IN and q.type == dns.types.AAAA:
                answers.append(dns.ResourceRecord.AAAA(q.name, SINK_V6))
        flow.response = flow.request.succeed(answers)     # other types: an empty answer, never a lookup
        flow.metadata[SINKHOLE_KEY] = True

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        # the one gate every upstream connection passes: raw TCP/UDP, ignored hosts, anything an answer missed
        if ctx.options.hpa_sinkhole and data.server.error is None:
            data.server.error = REFUSED

    def next_layer(self, nextlayer: NextLayer) -> None:
        # A raw TCP/UDP layer would open (and be refused) its upstream before relaying anything, dropping what the
        # client sent first: keep those bytes in its flow for the recorder. Loaded with -s this hook runs before
        # mitmproxy's own NextLayer, so ask it for its choice now (it keeps a choice already made).
        if not ctx.options.hpa_sinkhole:
            return
        if nextlayer.layer is None and (decide := ctx.master.addons.get("nextlayer")) is not None:
            decide.next_layer(nextlayer)
        layer = nextlayer.layer
        if isinstance(layer, (layers.TCPLayer, layers.UDPLayer)) and layer.flow is not None:
            layer.flow.metadata[SINKHOLE_KEY] = True
            first = nextlayer.data_client()
            if first and not layer.flow.messages:
                msg = tcp.TCPMessage(True, first) if isinstance(layer, layers.TCPLayer) else udp.UDPMessage(True, first)
                layer.flow.messages.append(msg)  # type: ignore[arg-type]


addons = [HpaSinkhole()]
