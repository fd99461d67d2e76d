"""One self-contained HTML page per report: no external request, no script, captured text always inert.

Captured strings reach the page only through Jinja's autoescaping (in the markup and in the SVG diagram), so a
payload carrying `<script>` or a link stays text. The Sankey diagram is an SVG computed by `report.sankey`; the
request viewer (`report.viewer`) shows each cited request decoded, its data-carrying fields marked, reached from
every flow id by an in-page link.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket

from ..fsutil import cache_dir, private_dir

TEMPLATES = Path(__file__).parent / "templates"
# no script at all, no network: even a payload that escaped escaping could neither run nor call home
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'none'"


class _QuietCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache in hpa's cache folder (compiling the report template takes ~40 ms, which each app of a
    batch would pay): an entry that cannot be read or written is compiled again, never an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:       # a damaged entry (marshal can raise nearly anything): compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> _QuietCache | None:
    d = cache_dir()
    if d is None:
        return None
    try:
        return _QuietCache(str(private_dir(d / "templates")))
    except OSError:
        return None


@lru_cache(maxsize=1)
def _env() -> Environment:
    from ..verdict.names import data_type_name, detail_name

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, bytecode_cache=_bytecode_cache())
    env.filters["type_name"] = data_type_name
    env.filters["detail_name"] = detail_name
    env.filters["requests"] = lambda evidence: len({e["flow_id"] for e in evidence or []})
    return env


def render_template(name: str, **context: Any) -> str:
    """One of report/templates rendered with autoescaping (the batch guide uses it for index.html)."""
    return _env().get_template(name).render(**context)


def render_html(r: dict[str, Any]) -> str:
    """The page for an hpa.report/1 dict."""
    from .sankey import sankey
    from .viewer import anchors, shown_requests

    requests = shown_requests(r)
    shown = {q.flow_id for q in requests}
    links = {fid: a for fid, a in anchors(r).items() if fid in shown}
    return _env().get_template("report.html.j2").render(r=r, label=r.get("label") or {}, diagram=sankey(r),
                                                        requests=requests, links=links, csp=CSP)
