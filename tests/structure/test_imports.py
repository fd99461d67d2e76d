"""The house rules of DESIGN.md, checked on the source: every room imports only rooms on lower floors (so there is
no circle between rooms), no module imports another module's private (`_name`) names, and the modules inside a
room import each other without a circle. Imports inside functions count too: a lazy import is still an arrow."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Floors, lowest first. A room imports only rooms of lower floors (rooms on one floor do not import each other).
FLOORS: list[set[str]] = [
    {"analyzer", "errors"},                         # the package (its __version__), the errors the CLI reports
    {"fsutil", "model"},                            # private atomic files, JSON inputs; the data model
    {"decode"},                                     # request bytes -> fields (and the one bounded decompressor)
    {"traffic"},                                    # readers / writers (recover wire bytes with decode's codecs)
    {"detect", "recipients"},                       # fields -> detections; who receives them
    {"static", "policy"},                           # APK facts (uses the tracker knowledge base); promises
    {"verdict"},                                    # findings and label
    {"aggregate", "report"},                        # detections -> data flows; output
    {"parallel", "capture"},                        # several cores; running an app (+ the addons)
    {"pipeline"},                                   # wiring of one analysis
    {"batch"},                                      # many apps
    {"cli"},                                        # the command line
]
FLOOR = {room: i for i, rooms in enumerate(FLOORS) for room in rooms}
ADDONS_MAY_IMPORT = {"model", "traffic", "errors", "fsutil"}   # a mitmproxy addon sees the traffic room only

# Known exceptions, fixed on other branches of issue 20; delete a line when its fix lands.
PRIVATE_ALLOWED = {
}
PRIVATE_ALLOWED_FROM: set[tuple[str, str]] = set()
CYCLES_ALLOWED: set[frozenset[str]] = set()


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import statement of a file, absolute."""
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, [a.name for a in node.names]))
    return out


def _sources() -> dict[str, Path]:
    return {_module(p): p for p in sorted((ROOT / "analyzer").rglob("*.py"))}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _resolve(target: str, names: list[str], modules: dict[str, Path]) -> list[str]:
    """The modules an import reaches: `from .x import y` reaches x.y when y is a submodule."""
    subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
    return subs or [target]


def test_every_room_has_a_floor() -> None:
    rooms = {_room(m) for m in _sources()}
    assert rooms <= set(FLOOR), f"rooms without a floor in this test and DESIGN.md: {sorted(rooms - set(FLOOR))}"


def test_no_room_imports_a_higher_or_sideways_room() -> None:
    bad = []
    for mod, path in _sources().items():
        for target, _ in _imports(path):
            if target.split(".")[0] != "analyzer":
                continue
            a, b = _room(mod), _room(target)
            if a != b and FLOOR[b] >= FLOOR[a]:
                bad.append(f"{mod} imports {target} ({a} floor {FLOOR[a]}, {b} floor {FLOOR[b]})")
    assert not bad, "\n".join(bad)


def test_addons_use_only_the_traffic_room() -> None:
    bad = []
    for path in sorted((ROOT / "addons").glob("*.py")):
        for target, _ in _imports(path):
            if target.split(".")[0] == "analyzer" and _room(target) not in ADDONS_MAY_IMPORT:
                bad.append(f"{path.name} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_module_imports_private_names_of_another() -> None:
    modules = _sources()
    bad = []
    for mod, path in list(modules.items()) + [(f"addons.{p.stem}", p) for p in (ROOT / "addons").glob("*.py")]:
        for target, names in _imports(path):
            if not target.startswith("analyzer") or target == mod or (mod, target) in PRIVATE_ALLOWED_FROM:
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__") and (mod, target, n) not in PRIVATE_ALLOWED:
                    bad.append(f"{mod}: from {target} import {n}")
    assert not bad, "\n".join(bad)


def test_no_import_cycle_between_modules() -> None:
    modules = _sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in modules.items():
        for target, names in _imports(path):
            for t in _resolve(target, names, modules):
                # a package's __init__ re-exporting its own modules is not an arrow back up
                if t in modules and t != mod and not (mod.startswith(t + ".") or t.startswith(mod + ".")):
                    graph[mod].add(t)
    cycles = set()
    for a in modules:
        for b in graph[a]:
            if a in _reachable(graph, b) and frozenset({a, b}) not in CYCLES_ALLOWED:
                cycles.add(tuple(sorted((a, b))))
    assert not cycles, "modules on a circle: " + "; ".join(f"{a} <-> {b}" for a, b in sorted(cycles))


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
