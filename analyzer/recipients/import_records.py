"""One tracker of an imported list, whatever its format: a name, hosts, SDK packages, hpa categories, facts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from .kb import data_dir


@dataclass(slots=True)
class ImportRecord:
    name: str
    hosts: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    categories: list[str] | None = None        # None: the list said nothing usable
    website: str | None = None
    parent: str | None = None
    country: str | None = None
    host_categories: dict[str, list[str]] = field(default_factory=dict)   # when the list categorizes each domain


@cache
def _category_map() -> tuple[dict[str, list[str]], tuple[str, ...]]:
    doc = json.loads((data_dir() / "import_categories.json").read_text(encoding="utf-8"))
    return {k.lower(): v for k, v in doc["map"].items()}, tuple(doc["default"])


def default_categories() -> list[str]:
    return list(_category_map()[1])


def map_categories(names: list[str]) -> list[str] | None:
    """A list's category names -> hpa categories (unknown names -> the default); None for no names at all."""
    if not names:
        return None
    cmap, default = _category_map()
    out = [c for n in names for c in cmap.get(n.strip().lower(), default)]
    return list(dict.fromkeys(out))
