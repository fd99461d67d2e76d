"""Capture overhead: what the hpa recorder adds per request over bare mitmproxy.

Both configurations are the same in-process mitmproxy (regular mode, sinkhole: offline, no upstream) loaded by the
simulated device playing the `cycle` scenario's requests (HTTP/1.1 and HTTP/2, gzip, protobuf, multipart) over real
TLS, one connection per request as a freshly started SDK would. "bare" has only a 3-line responder addon answering
204; "with addon" has the hpa recorder (sinkhole + JSONL + native dump, flushed per flow). Each request goes through
both, back to back in alternating order; the overhead is the median of the paired latency differences. req/s are
sequential (one client), so they are 1 / mean latency.

    python -m bench.capture_bench [--requests N] [--rounds R]
prints: capture_overhead: X ms/request (bare: Y req/s, with addon: Z req/s, ratio R)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from analyzer.capture.proxy import ProxyConfig, RunningProxy
from analyzer.capture.scenario import PHASES, SimRequest, load_scenario, render_requests
from analyzer.capture.simclient import send


class _Responder:
    """The bare baseline: answer every request in the request hook, record nothing."""

    def request(self, flow: Any) -> None:
        from mitmproxy import http
        flow.response = http.Response.make(204, b"", {})


class _BareProxy(RunningProxy):
    async def _main(self) -> None:  # same lifecycle, the responder instead of the recorder
        import asyncio

        from mitmproxy import options
        from mitmproxy.tools.dump import DumpMaster

        self.loop = asyncio.get_running_loop()
        opts = options.Options(listen_host="127.0.0.1", listen_port=0, confdir=str(self.cfg.confdir))
        master = DumpMaster(opts, with_termlog=False, with_dumper=False)
        master.addons.add(_Responder())
        master.options.update(connection_strategy="lazy")
        self.master = master
        run = asyncio.create_task(master.run())
        ps = master.addons.get("proxyserver")
        while not ps.listen_addrs():
            await asyncio.sleep(0.01)
        self.addrs = [(str(a[0]), int(a[1])) for a in ps.listen_addrs()]
        self._ready.set()
        await run


def _load(n: int) -> list[SimRequest]:
    sc = load_scenario("cycle")
    reqs = [r for ph in PHASES for r in render_requests(sc, ph, time.time(), "bench")]
    return [reqs[i % len(reqs)] for i in range(n)]


def _once(proxy: RunningProxy, r: SimRequest) -> float:
    s = time.perf_counter()
    res = send(r, ("127.0.0.1", proxy.port), Path(proxy.ca_cert))
    if res.error:
        raise SystemExit(f"capture_bench: request failed: {res.error}")
    return time.perf_counter() - s


def run(requests: int = 300, rounds: int = 3) -> dict[str, float]:
    """Each request goes through both proxies back to back (order alternating), so machine noise hits both alike;
    the overhead is the median of the paired differences."""
    reqs = _load(requests)
    bare_lat: list[float] = []
    rec_lat: list[float] = []
    diffs: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "conf"
        bare = _BareProxy(ProxyConfig(out_dir=Path(tmp) / "bare", confdir=conf)).start()
        rec = RunningProxy(ProxyConfig(out_dir=Path(tmp) / "rec", confdir=conf, sinkhole=True)).start()
        try:
            for r in reqs[:20]:  # warm-up: certificate generation per host, imports
                _once(bare, r)
                _once(rec, r)
            for k in range(rounds):
                for i, r in enumerate(reqs):
                    if (i + k) % 2:
                        b, a = _once(bare, r), _once(rec, r)
                    else:
                        a, b = _once(rec, r), _once(bare, r)
                    bare_lat.append(b)
                    rec_lat.append(a)
                    diffs.append(a - b)
        finally:
            bare.stop()
            rec.stop()
        written = sum(1 for _ in open(Path(tmp) / "rec" / "flows.jsonl"))
    out = {"overhead_ms": statistics.median(diffs) * 1000,
           "bare_rps": len(bare_lat) / sum(bare_lat), "addon_rps": len(rec_lat) / sum(rec_lat),
           "bare_ms": statistics.median(bare_lat) * 1000, "addon_ms": statistics.median(rec_lat) * 1000,
           "flows_written": written}
    out["ratio"] = out["addon_rps"] / out["bare_rps"]
    return out


def hook_cost(n: int = 2000) -> tuple[float, float]:
    """CPU ms per flow spent in the response hook (on the proxy's loop) and in the writer thread."""
    from mitmproxy.test import taddons, tflow

    from analyzer.capture.proxy import load_recorder_module

    mod = load_recorder_module()
    rec = mod.HpaRecorder()
    with tempfile.TemporaryDirectory() as d, taddons.context(rec) as tctx:
        tctx.configure(rec, hpa_out=d)
        flows = []
        for i in range(n):
            f = tflow.tflow(resp=True)
            f.request.content = b"event=CUSTOM_APP_EVENTS&advertiser_id=x" * 30
            flows.append(f)
        t = time.perf_counter()
        for f in flows:
            rec.response(f)
        in_hook = (time.perf_counter() - t) / n * 1000
        t = time.perf_counter()
        rec.done()  # drains the writer thread
        drain = (time.perf_counter() - t) / n * 1000
    return in_hook, drain


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv if argv is not None else sys.argv[1:])
    if os.environ.get("HPA_BENCH_QUICK") == "1":  # `python -m bench --quick`: smoke sizes
        a.requests, a.rounds = min(a.requests, 40), 1
    r = run(a.requests, a.rounds)
    print(f"capture_overhead: {r['overhead_ms']:.2f} ms/request (bare: {r['bare_rps']:.0f} req/s, "
          f"with addon: {r['addon_rps']:.0f} req/s, ratio {r['ratio']:.2f})")
    print(f"capture_latency: bare median {r['bare_ms']:.2f} ms, with addon {r['addon_ms']:.2f} ms, "
          f"{r['flows_written']} flows written")
    in_hook, writer = hook_cost()
    print(f"capture_hook_cost: {in_hook:.3f} ms/flow on the proxy loop, {writer:.3f} ms/flow left for the writer thread")


if __name__ == "__main__":
    main()
