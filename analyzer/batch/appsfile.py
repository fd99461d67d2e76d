"""apps.csv: one row per app to analyze (columns documented in the README)."""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError

CATEGORIES = ("menstrual", "mental_health", "fitness", "other")
COLUMNS = ("app_id", "name", "category", "apk", "capture", "policy", "data_safety", "device", "first_party_domains",
           "known_values")
DEVICE_KINDS = ("simulate", "serial", "avd", "manual")
REQUIRED = ("app_id",)
# a package name is also a folder name under captures/: keep it to what Android allows, nothing that walks a path
_APP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")


@dataclass(slots=True)
class AppSpec:
    app_id: str
    name: str = ""
    category: str = "other"
    apk: str | None = None
    policy: str | None = None          # file (relative to apps.csv) or URL
    data_safety: str | None = None
    device: str = ""                   # simulate:SCENARIO | serial:SERIAL | avd:NAME | manual | "" (no device)
    first_party_domains: list[str] = field(default_factory=list)
    known_values: str | None = None
    captures: list[str] = field(default_factory=list)   # captures made elsewhere (files or folders), analyzed as is

    @property
    def plan(self) -> str:
        """What this row runs: `captures` (analyze what was recorded elsewhere), `device` (capture, then analyze)
        or `static` (an APK alone)."""
        if self.captures:
            return "captures"
        return "device" if self.device else "static"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def device_kind(self) -> tuple[str, str]:
        kind, _, arg = self.device.partition(":")
        return kind.strip(), arg.strip()


def _resolve(base: Path, value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if re.match(r"^https?://", value):
        return value
    p = Path(value)
    return str(p if p.is_absolute() else (base / p))


def read_apps_csv(path: str | Path) -> list[AppSpec]:
    """Parse and validate apps.csv; paths are relative to the file. Any bad row is an error naming its line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(p, f"unreadable ({e.__class__.__name__})") from None
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    if not rows:
        raise InputError(p, "no apps listed (expected a header line and one row per app)")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise InputError(p, f"missing column(s) {', '.join(missing)}; columns are {', '.join(COLUMNS)}")
    base = p.resolve().parent          # absolute: a Dask worker's working folder is not ours
    apps: list[AppSpec] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        app_id = (row.get("app_id") or "").strip()
        if not _APP_ID.match(app_id):
            raise InputError(p, f"line {i}: app_id {app_id!r} is not a package name like org.example.app")
        if app_id in seen:
            raise InputError(p, f"line {i}: app_id {app_id} listed twice")
        seen.add(app_id)
        category = (row.get("category") or "other").strip() or "other"
        if category not in CATEGORIES:
            raise InputError(p, f"line {i}: category {category!r} is not one of {', '.join(CATEGORIES)}")
        device = (row.get("device") or "").strip()
        if device and device.partition(":")[0] not in DEVICE_KINDS:
            raise InputError(p, f"line {i}: device {device!r}: use simulate:SCENARIO, serial:SERIAL, avd:NAME or manual")
        captures = [c for c in (_resolve(base, x) for x in (row.get("capture") or "").split(";")) if c]
        if captures and device:
            raise InputError(p, f"line {i}: give either a device or a capture, not both")
        if device == "manual":
            raise InputError(p, f"line {i}: device manual needs a person at the phone: record with "
                                "`hpa capture --manual`, then list the capture in the capture column")
        apk = _resolve(base, row.get("apk") or "")
        if not (captures or device or apk):
            raise InputError(p, f"line {i}: nothing to analyze for {app_id}: give a capture, a device or an apk")
        apps.append(AppSpec(
            app_id=app_id, name=(row.get("name") or "").strip() or app_id, category=category,
            apk=apk, policy=_resolve(base, row.get("policy") or ""),
            data_safety=_resolve(base, row.get("data_safety") or ""), device=device,
            first_party_domains=[d.strip() for d in re.split(r"[;\s]+", row.get("first_party_domains") or "") if d.strip()],
            known_values=_resolve(base, row.get("known_values") or ""), captures=captures,
        ))
    return apps


def input_paths(a: AppSpec) -> list[tuple[str, str]]:
    """(column, path) of every local file or folder an app reads."""
    out = [(col, v) for col in ("apk", "policy", "data_safety", "known_values")
           if (v := getattr(a, col)) and not re.match(r"^https?://", v)]
    return out + [("capture", c) for c in a.captures]


def check_files(apps: list[AppSpec], apps_csv: str | Path) -> None:
    """Before a batch starts: a typo in a path is found now, not after each app's capture."""
    for a in apps:
        for col, value in input_paths(a):
            ok = Path(value).exists() if col == "capture" else Path(value).is_file()
            if not ok:
                raise InputError(apps_csv, f"{a.app_id}: {col} {value}: no such file (paths are relative to "
                                           f"{Path(apps_csv).name})")
