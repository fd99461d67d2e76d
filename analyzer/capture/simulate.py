"""`--simulate SCENARIO`: a synthetic app plays a scenario's phases through the real proxy over real TLS.

The upstream is offline, so the proxy always runs in sinkhole mode; meta.json says `"simulated": true`.
Phase durations are not waited out: each phase lasts as long as its requests take (a simulated app has no idle time).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .meta import PhaseRecord, RunMeta
from .proxy import RunningProxy
from .scenario import PHASES, Scenario, render_requests
from .simclient import SimResult, send

log = logging.getLogger(__name__)


def play(sc: Scenario, proxy: RunningProxy, meta: RunMeta, proxyauth: str | None = None) -> list[SimResult]:
    """Play every phase in order, switching the recorder's phase tag before each."""
    results: list[SimResult] = []
    host = proxy.cfg.listen_host if proxy.cfg.listen_host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    for phase in PHASES:
        reqs = render_requests(sc, phase, time.time(), meta.run_id)
        proxy.set_phase(phase)
        rec = PhaseRecord(name=phase, start=time.time(), requests=len(reqs))
        for r in reqs:
            res = send(r, (host, proxy.port), Path(proxy.ca_cert), proxyauth)
            if res.error:
                log.warning("simulated request %s %s failed: %s", r.method, r.url, res.error)
            results.append(res)
        rec.end = time.time()
        meta.phases.append(rec)
    return results


def simulated_device(sc: Scenario) -> dict[str, object]:
    return {"kind": "simulated", "description": "hpa built-in synthetic app (no Android device)",
            "scenario": sc.name, "scenario_file": sc.path, "http_stack": "python http.client (HTTP/1.1), h2 (HTTP/2)"}
