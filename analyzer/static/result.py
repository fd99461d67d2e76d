"""The static facts of an APK as typed records; `StaticResult.to_dict()` is the hpa.static/1 JSON (its keys, in
its order: the contract is unchanged)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATIC_SCHEMA = "hpa.static/1"


@dataclass(slots=True)
class Permission:
    name: str
    dangerous: bool
    ad_id: bool                  # com.google.android.gms.permission.AD_ID and kin
    health_connect: bool         # android.permission.health.*


@dataclass(slots=True)
class TrackerMatch:
    entity: str                  # the company (knowledge base)
    name: str                    # the SDK
    categories: list[str]
    evidence: list[str]          # the outermost package prefixes matched (at most scan.MAX_EVIDENCE)
    classes: int                 # how many classes matched


@dataclass(slots=True)
class Component:
    """An activity, service, receiver or provider other apps can start."""
    type: str
    name: str
    reason: str                  # why it is exported
    permission: str | None
    actions: list[str]
    authorities: str | None = None      # providers only

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.type != "provider":
            del d["authorities"]
        return d


@dataclass(slots=True)
class Pin:
    domains: list[str]
    digests: list[str]
    expiration: str | None


@dataclass(slots=True)
class NetworkSecurity:
    config: str | None           # path of the network security config, None for the platform defaults
    cleartext_default: bool
    cleartext_domains: list[str]
    user_cas_trusted: bool
    user_ca_domains: list[str]
    debug_user_cas: bool
    pins: list[Pin]
    domains: list[str]
    cleartext_allowed: bool


@dataclass(slots=True)
class DexInfo:
    name: str
    size: int
    classes: int
    strings: int


@dataclass(slots=True)
class ApkPartInfo:
    origin: str                  # file name, or the entry of a bundle / nested APK
    role: str                    # base | split | nested
    package: str | None
    split: str | None
    size: int
    dex: list[DexInfo]


@dataclass(slots=True)
class StaticFiles:
    size: int
    parts: list[ApkPartInfo]
    dex_count: int
    classes: int


@dataclass(frozen=True, slots=True)
class SdkHost:
    """A host name found in a string of one class (`static.sdk_hosts`): in an SDK's class it names the SDK's
    company as the host's receiver, and the host is not the app's own."""
    host: str
    cls: str

    def to_dict(self) -> dict[str, str]:
        return {"host": self.host, "class": self.cls}


@dataclass(slots=True)
class StaticResult:
    source: str
    format: str
    package: str | None
    version_name: str | None
    version_code: int | None
    min_sdk: int | None
    target_sdk: int | None
    permissions: list[Permission]
    trackers: list[TrackerMatch]
    hosts: list[str]
    network_security: NetworkSecurity | None
    meta_data: dict[str, str]
    components: list[Component]
    files: StaticFiles
    notes: list[str] = field(default_factory=list)
    sdk_hosts: list[SdkHost] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"schema": STATIC_SCHEMA}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in ("components", "sdk_hosts"):
                d[name] = [c.to_dict() for c in value]
            elif isinstance(value, list):
                d[name] = [asdict(v) if hasattr(v, "__dataclass_fields__") else v for v in value]
            elif hasattr(value, "__dataclass_fields__"):
                d[name] = asdict(value)
            else:
                d[name] = value
        return d
