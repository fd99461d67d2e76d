"""Who gets what as a small SVG Sankey computed here (app -> data types -> recipients, widths by requests): no
plotting library in the page, no script, a few kilobytes. Labels stay plain strings; the template escapes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..verdict.names import data_type_name

WIDTH, COL_X, NODE_W, GAP, MIN_H = 900, (10, 360, 710), 14, 12, 6
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True)
class Node:
    label: str
    x: float
    y: float
    h: float
    color: str


@dataclass(frozen=True)
class Link:
    path: str          # the SVG path of the band's centre line
    width: float
    color: str
    title: str


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    nodes: list[Node]
    links: list[Link]


def sankey(r: dict[str, Any]) -> Diagram | None:
    """The diagram of the data flows that leave the app's own servers; None when there are none."""
    flows = [df for df in r.get("data_flows", []) if df["recipient"]["party"] != "first"]
    if not flows:
        return None
    app = str((r.get("app") or {}).get("name") or (r.get("app") or {}).get("id") or "app")
    weight: dict[tuple[str, str], int] = {}
    for df in flows:
        rec = df["recipient"]
        key = (data_type_name(df["data_type"]), str(rec.get("entity") or rec["domain"]))
        weight[key] = weight.get(key, 0) + max(1, int(df.get("evidence_count") or len(df.get("evidence", []))))
    # heaviest first, ties by name: the same report draws the same page (a set's order changes between runs)
    types = sorted({t for t, _ in weight}, key=lambda t: (-sum(v for (a, _), v in weight.items() if a == t), t))
    whos = sorted({w for _, w in weight}, key=lambda w: (-sum(v for (_, b), v in weight.items() if b == w), w))
    tin = {t: sum(v for (a, _), v in weight.items() if a == t) for t in types}
    win = {w: sum(v for (_, b), v in weight.items() if b == w) for w in whos}
    total = sum(weight.values())
    rows = max(len(types), len(whos))
    height = max(220, 40 * rows + 20)
    scale = (height - 20 - GAP * (rows - 1)) / total

    def column(names: list[str], sizes: dict[str, int], x: float, colors: bool) -> dict[str, Node]:
        out, y = {}, 10.0
        for i, n in enumerate(names):
            h = max(MIN_H, sizes[n] * scale)
            out[n] = Node(n, x, y, h, PALETTE[i % len(PALETTE)] if colors else "#555")
            y += h + GAP
        return out

    app_node = Node(app, COL_X[0], 10, max(MIN_H, total * scale + GAP * (len(types) - 1)), "#333")
    tnodes = column(types, tin, COL_X[1], True)
    wnodes = column(whos, win, COL_X[2], False)
    links: list[Link] = []
    app_y = app_node.y
    for t in types:                                     # app -> type
        n, h = tnodes[t], tin[t] * scale
        links.append(_link(app_node.x + NODE_W, app_y + h / 2, n.x, n.y + n.h / 2, h, n.color, f"{app} → {t}: {tin[t]}"))
        app_y += h + GAP
    out_y = {t: tnodes[t].y for t in types}
    in_y = {w: wnodes[w].y for w in whos}
    for (t, w), v in sorted(weight.items(), key=lambda kv: (types.index(kv[0][0]), whos.index(kv[0][1]))):
        h = v * scale
        links.append(_link(tnodes[t].x + NODE_W, out_y[t] + h / 2, wnodes[w].x, in_y[w] + h / 2, h, tnodes[t].color,
                           f"{t} → {w}: {v} request(s)"))
        out_y[t] += h
        in_y[w] += h
    return Diagram(WIDTH, int(height), [app_node, *tnodes.values(), *wnodes.values()], links)


def _link(x0: float, y0: float, x1: float, y1: float, w: float, color: str, title: str) -> Link:
    mid = (x0 + x1) / 2
    return Link(f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}", max(1.0, w), color,
                title)
