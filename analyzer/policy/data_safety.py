"""The Play Store Data-safety form as JSON (format: analyzer/data/policy/DATA_SAFETY.md); the store's page itself
(saved HTML or copied text) is read by data_safety_page; data_safety_load reads either from a file.

    {"schema": "hpa.data_safety/1", "app_id": "org.example.app",
     "no_data_shared": false, "no_data_collected": false,
     "data_types": [{"id": "health_fitness.health", "collected": true, "shared": false,
                     "optional": false, "purposes": ["app_functionality", "analytics"]}],
     "security": {"encrypted_in_transit": true, "deletion_request": true}}

`id` is a report data-type id (analyzer.model.DATA_TYPES); instead of it an entry may give the labels shown on the
Play Store, {"category": "Personal info", "type": "Email address"} (English or French), or "Personal info / Email
address" as its id. A category without a type stands for every type of the category. Purposes may be written as on
the store ("Advertising or marketing"). A whole malformed file raises InputError; a malformed entry is skipped and
counted in `skipped`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import InputError
from ..model import DATA_TYPES
from .lexicon import load_data

DATA_SAFETY_SCHEMA = "hpa.data_safety/1"


@dataclass(slots=True)
class DataSafetyEntry:
    id: str
    collected: bool = False
    shared: bool = False
    optional: bool = False
    purposes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DataSafety:
    app_id: str | None
    no_data_shared: bool = False
    no_data_collected: bool = False
    data_types: dict[str, DataSafetyEntry] = field(default_factory=dict)
    security: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    skipped: int = 0                      # malformed entries ignored
    warnings: list[str] = field(default_factory=list)

    def declares_shared(self, data_type: str) -> bool:
        e = self.data_types.get(data_type)
        return bool(e and e.shared and not self.no_data_shared and not self.no_data_collected)

    def declares_collected(self, data_type: str) -> bool:
        e = self.data_types.get(data_type)
        return bool(e and (e.collected or e.shared) and not self.no_data_collected)

    def declaration(self, data_type: str, party: str) -> str:
        """declared | undeclared for a data flow to a recipient of this party. Transfers to service providers
        count as collection on the form, not sharing (Play's definition); any other recipient needs 'shared'."""
        ok = self.declares_collected(data_type) if party == "service_provider" else self.declares_shared(data_type)
        return "declared" if ok else "undeclared"

    def to_dict(self) -> dict[str, Any]:
        return {"schema": DATA_SAFETY_SCHEMA, "app_id": self.app_id, "no_data_shared": self.no_data_shared,
                "no_data_collected": self.no_data_collected,
                "data_types": [{"id": e.id, "collected": e.collected, "shared": e.shared, "optional": e.optional,
                                "purposes": list(e.purposes)} for e in self.data_types.values()],
                "security": dict(self.security)}


@cache
def labels() -> dict[str, Any]:
    """The Play Store's labels (types, categories, purposes, page headings), EN and FR."""
    return load_data("play_labels.json")


def norm_label(s: str) -> str:
    return " ".join(s.replace("’", "'").strip().lower().split())


def _ids_for(entry: dict[str, Any]) -> list[str]:
    """Report ids an entry stands for; [] when it names nothing known."""
    lab = labels()
    raw = entry.get("id")
    cat, typ = entry.get("category"), entry.get("type")
    if isinstance(raw, str):
        if raw in DATA_TYPES:
            return [raw]
        if "/" in raw:
            cat, typ = (p.strip() for p in raw.split("/", 1))
        else:
            cat, typ = raw, None
    if isinstance(typ, str) and typ.strip():
        return [lab["types"][norm_label(typ)]] if norm_label(typ) in lab["types"] else []
    if not isinstance(cat, str):
        return []
    if norm_label(cat) in lab["types"]:          # a bare type label given as id: "Email address"
        return [lab["types"][norm_label(cat)]]
    group = lab["categories"].get(norm_label(cat), cat)
    return [t for t in DATA_TYPES if t == group or t.startswith(group + ".")]


def purpose_id(p: str) -> str:
    return labels()["purposes"].get(norm_label(p), norm_label(p).replace(" ", "_"))


def _bool(d: dict[str, Any], key: str, default: bool = False) -> bool:
    v = d.get(key, default)
    if not isinstance(v, bool):
        raise ValueError(f"{key} must be true or false")
    return v


def parse_data_safety(d: Any, source: str = "<data-safety>") -> DataSafety:
    if not isinstance(d, dict):
        raise InputError(source, "Data-safety form must be a JSON object")
    schema = d.get("schema")
    if schema is not None and schema != DATA_SAFETY_SCHEMA:
        raise InputError(source, f"unknown schema {schema!r} (expected {DATA_SAFETY_SCHEMA})")
    try:
        no_shared = _bool(d, "no_data_shared")
        no_collected = _bool(d, "no_data_collected")
    except ValueError as e:
        raise InputError(source, str(e)) from None
    entries = d.get("data_types", [])
    if not isinstance(entries, list):
        raise InputError(source, "data_types must be a list")
    security = d.get("security", {})
    if not isinstance(security, dict):
        raise InputError(source, "security must be an object")
    app_id = d.get("app_id")
    if app_id is not None and not isinstance(app_id, str):
        raise InputError(source, "app_id must be a string")
    ds = DataSafety(app_id=app_id, no_data_shared=no_shared, no_data_collected=no_collected,
                    security=security, source=source)
    for e in entries:
        try:
            if not isinstance(e, dict):
                raise ValueError("entry is not an object")
            ids = _ids_for(e)
            if not ids:
                raise ValueError("unknown data type")
            collected, shared, optional = _bool(e, "collected", True), _bool(e, "shared"), _bool(e, "optional")
            purposes = e.get("purposes", [])
            if not isinstance(purposes, list) or not all(isinstance(p, str) for p in purposes):
                raise ValueError("purposes must be a list of strings")
        except ValueError:
            ds.skipped += 1
            continue
        for i in ids:   # a type listed twice (category and type): union of what is declared
            old = ds.data_types.get(i)
            new = DataSafetyEntry(i, collected or shared, shared, optional, [purpose_id(p) for p in purposes])
            if old:
                new = DataSafetyEntry(i, old.collected or new.collected, old.shared or new.shared,
                                      old.optional and new.optional, list(dict.fromkeys(old.purposes + new.purposes)))
            ds.data_types[i] = new
    if no_shared and any(e.shared for e in ds.data_types.values()):
        ds.warnings.append("form says 'no data shared' but lists shared data types; 'no data shared' wins")
    if no_collected and ds.data_types:
        ds.warnings.append("form says 'no data collected' but lists data types")
    return ds
