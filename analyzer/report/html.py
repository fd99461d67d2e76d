"""One self-contained HTML page per report: no external request, captured text always inert.

Captured strings reach the page only through Jinja's autoescaping, or as JSON whose `<`, `>` and `&` are escaped
as \\u sequences, so a payload carrying `<script>` stays text. The diagram is a plotly Sankey with plotly.js inlined.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, **context: Any) -> str:
    """One of report/templates rendered with autoescaping (the batch guide uses it for index.html)."""
    return _env().get_template(name).render(**context)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


def safe_json(obj: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return (json.dumps(obj, ensure_ascii=True, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def sankey_data(r: dict[str, Any]) -> dict[str, Any] | None:
    """app -> data types -> companies, weighted by the number of requests."""
    flows = [df for df in r.get("data_flows", []) if df["recipient"]["party"] != "first"]
    if not flows:
        return None
    app = str((r.get("app") or {}).get("name") or (r.get("app") or {}).get("id") or "app")
    labels: list[str] = [app]
    index: dict[str, int] = {}

    def node(name: str) -> int:
        if name not in index:
            index[name] = len(labels)
            labels.append(name)
        return index[name]

    links: dict[tuple[int, int], int] = {}
    for df in flows:
        dt = node("data: " + df["data_type"])
        rec = df["recipient"]
        who = node(rec.get("entity") or rec["domain"])
        n = max(1, int(df.get("evidence_count") or len(df.get("evidence", []))))
        links[(0, dt)] = links.get((0, dt), 0) + n
        links[(dt, who)] = links.get((dt, who), 0) + n
    src, dst, val = zip(*[(a, b, v) for (a, b), v in links.items()])
    return {"data": [{"type": "sankey", "orientation": "h",
                      "node": {"label": labels, "pad": 14, "thickness": 14},
                      "link": {"source": list(src), "target": list(dst), "value": list(val)}}],
            "layout": {"margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "height": max(260, 26 * len(labels)),
                       "font": {"size": 12}}}


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render_html(r: dict[str, Any]) -> str:
    """The page. Its Content-Security-Policy allows no network at all and only the scripts we wrote (by hash),
    so even a payload that escaped escaping could not run or call home."""
    sankey = sankey_data(r)
    scripts = []
    if sankey:
        scripts = [plotly_js(),
                   "(function(){ var f = " + safe_json(sankey) + "; Plotly.newPlot(\"sankey\", f.data, f.layout, "
                   "{displayModeBar: false, responsive: true}); })();"]
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src "
           + (" ".join(_csp_hash(s) for s in scripts) or "'none'"))
    return _env().get_template("report.html.j2").render(r=r, label=r.get("label") or {}, scripts=scripts, csp=csp)
