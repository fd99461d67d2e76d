"""Facts from a binary AndroidManifest.xml, resources.arsc and the network security config (androguard's parsers).

androguard's AXMLPrinter / ARSCParser read the binary XML and the resource table; resource references
(`@7F030001`) are resolved against the default configuration. Permission flags come from
data/static/permissions.json (androguard's own tables stop at API 30, before Health Connect).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable

from androguard.core.axml import ARSCParser, AXMLPrinter

from .hosts import host_candidates
from .result import Component, NetworkSecurity, Permission, Pin

ANDROID_NS = "{http://schemas.android.com/apk/res/android}"
PERMISSIONS_DATA = Path(__file__).resolve().parent.parent / "data" / "static" / "permissions.json"
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")


class ManifestError(ValueError):
    """The binary manifest (or resource table) cannot be parsed."""


def _quiet_androguard() -> None:
    from loguru import logger
    logger.remove()          # androguard logs at DEBUG through loguru; the CLI must stay quiet


@cache
def _perm_rules() -> dict[str, Any]:
    d = json.loads(PERMISSIONS_DATA.read_text(encoding="utf-8"))
    d["dangerous"] = frozenset(d["dangerous"])
    d["ad_id"] = frozenset(d["ad_id"])
    return d


def classify_permission(name: str) -> Permission:
    r = _perm_rules()
    return Permission(name=name, dangerous=name in r["dangerous"] or name.startswith(tuple(r["dangerous_prefixes"])),
                      ad_id=name in r["ad_id"], health_connect=name.startswith(tuple(r["health_connect_prefixes"])))


@dataclass(slots=True)
class ManifestFacts:
    package: str | None = None
    split: str | None = None
    version_name: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    permissions: list[str] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)
    components: list[Component] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    resource_strings: list[str] = field(default_factory=list)
    network_security_ref: str | None = None          # the resolved path of the config file
    uses_cleartext: bool | None = None               # android:usesCleartextTraffic


class Resources:
    """Resolves `@XXXXXXXX` references through resources.arsc (absent table: references stay as written)."""

    def __init__(self, arsc: bytes | None):
        self.table: ARSCParser | None = None
        if arsc:
            try:
                self.table = ARSCParser(arsc)
            except Exception as e:   # androguard raises bare exceptions on bad tables
                raise ManifestError(f"corrupt resources.arsc ({type(e).__name__})") from None

    def resolve(self, value: str | None) -> str | None:
        if not value or not value.startswith("@") or self.table is None:
            return value
        try:
            configs = self.table.get_resolved_res_configs(int(value[1:], 16))
        except Exception:  # androguard raises bare exceptions on odd tables: keep the reference as written
            return value
        return str(configs[0][1]) if configs and configs[0][1] is not None else value

    def strings(self) -> list[str]:
        if self.table is None:
            return []
        pool = self.table.stringpool_main
        try:
            return [s for s in (pool.getString(i) for i in range(pool.stringCount)) if s]
        except Exception as e:  # same: a string pool that parsed but cannot be read is a corrupt table
            raise ManifestError(f"corrupt resources.arsc string pool ({type(e).__name__})") from None


def parse_xml(data: bytes, what: str):
    """A binary XML file as an lxml element; ManifestError when it is not one."""
    _quiet_androguard()
    try:
        ap = AXMLPrinter(data)
        root = ap.get_xml_obj() if ap.is_valid() else None
    except Exception:  # androguard raises assorted errors on garbage
        root = None
    if root is None:
        raise ManifestError(f"corrupt {what} (binary XML could not be parsed)")
    return root


def _int(v: str | None) -> int | None:
    try:
        return int(v, 0) if v is not None else None
    except ValueError:
        return None


def _bool(v: str | None) -> bool | None:
    return None if v is None else v.lower() == "true"


def _qualify(name: str, package: str) -> str:
    return package + name if name.startswith(".") else (f"{package}.{name}" if "." not in name else name)


def read_manifest(manifest: bytes, arsc: bytes | None) -> ManifestFacts:
    root = parse_xml(manifest, "AndroidManifest.xml")
    if root.tag != "manifest" or not root.get("package"):
        raise ManifestError("corrupt AndroidManifest.xml (no <manifest package=...>)")
    res = Resources(arsc)
    a = lambda el, k: res.resolve(el.get(ANDROID_NS + k))  # noqa: E731 - attribute, resolved
    f = ManifestFacts(package=root.get("package"), split=root.get("split"),
                      version_name=a(root, "versionName"), version_code=_int(root.get(ANDROID_NS + "versionCode")))
    sdk = root.find("uses-sdk")
    if sdk is not None:
        f.min_sdk = _int(sdk.get(ANDROID_NS + "minSdkVersion"))
        f.target_sdk = _int(sdk.get(ANDROID_NS + "targetSdkVersion")) or f.min_sdk
    for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
        for el in root.iter(tag):
            name = el.get(ANDROID_NS + "name")
            if name and name not in f.permissions:
                f.permissions.append(name)
    app = root.find("application")
    f.resource_strings = res.strings()
    if app is not None:
        f.network_security_ref = a(app, "networkSecurityConfig")
        f.uses_cleartext = _bool(app.get(ANDROID_NS + "usesCleartextTraffic"))
        for el in app.iter("meta-data"):
            name = el.get(ANDROID_NS + "name")
            value = a(el, "value") if el.get(ANDROID_NS + "value") is not None else a(el, "resource")
            if name:
                f.meta_data[name] = value if value is not None else ""
        f.components = _exported_components(app, f.package, f.target_sdk, a)
    for el in root.iter("data"):
        host = el.get(ANDROID_NS + "host")
        if host:
            host = host.removeprefix("*.").lower()
            if "." in host and "*" not in host:
                f.hosts.add(host)
    f.hosts |= host_candidates([v for v in f.meta_data.values() if v])
    return f


def _exported_components(app, package: str, target_sdk: int | None, a: Callable) -> list[Component]:
    """Components other apps can start: android:exported="true", or (left unset) an intent filter."""
    out = []
    for tag in COMPONENT_TAGS:
        for el in app.iter(tag):
            exported = _bool(el.get(ANDROID_NS + "exported"))
            filters = el.findall("intent-filter")
            if exported is None:
                # unset: exported when it has an intent filter; providers before API 17 were exported by default
                exported = bool(filters) or (tag == "provider" and (target_sdk or 0) < 17)
                reason = "intent-filter (android:exported unset)" if filters else "default before API 17"
            else:
                reason = "android:exported=true"
            if not exported:
                continue
            name = el.get(ANDROID_NS + "name") or ""
            out.append(Component(type=tag, name=_qualify(name, package), reason=reason,
                                 permission=a(el, "permission"),
                                 actions=sorted({x.get(ANDROID_NS + "name") for x in el.iter("action")
                                                 if x.get(ANDROID_NS + "name")}),
                                 authorities=a(el, "authorities") if tag == "provider" else None))
    return out


def read_network_security(xml: bytes | None, path: str | None, target_sdk: int | None,
                          uses_cleartext: bool | None) -> NetworkSecurity:
    """Cleartext, user-CA trust and pins of the network security config (platform defaults when absent)."""
    target = target_sdk or 0
    default_cleartext = uses_cleartext if uses_cleartext is not None else target < 28
    default_user_cas = target < 24
    out: dict[str, Any] = {"config": path, "cleartext_default": default_cleartext, "cleartext_domains": [],
                           "user_cas_trusted": default_user_cas, "user_ca_domains": ["*"] if default_user_cas else [],
                           "debug_user_cas": False, "pins": [], "domains": []}
    if xml is not None:
        root = parse_xml(xml, path or "network security config")
        if root.tag != "network-security-config":
            raise ManifestError(f"{path}: not a network security config")

        def trusts_user(el) -> bool | None:
            anchors = el.find("trust-anchors")
            if anchors is None:
                return None
            return any(c.get("src") == "user" for c in anchors.iter("certificates"))

        base = root.find("base-config")
        if base is not None:
            ct = _bool(base.get("cleartextTrafficPermitted"))
            out["cleartext_default"] = default_cleartext if ct is None else ct
            u = trusts_user(base)
            if u is not None:
                out["user_cas_trusted"] = u
                out["user_ca_domains"] = ["*"] if u else []

        def walk(el, cleartext: bool, user: bool) -> None:
            for dc in el.findall("domain-config"):
                domains = [d.text.strip().lower() for d in dc.findall("domain") if d.text and d.text.strip()]
                ct = _bool(dc.get("cleartextTrafficPermitted"))
                ct = cleartext if ct is None else ct
                u = trusts_user(dc)
                u = user if u is None else u
                out["domains"].extend(domains)
                if ct:
                    out["cleartext_domains"].extend(domains)
                if u and "*" not in out["user_ca_domains"]:   # '*' (base config) already covers them
                    out["user_ca_domains"].extend(domains)
                for ps in dc.findall("pin-set"):
                    out["pins"].append(Pin(domains=domains,
                                           digests=[f"{p.get('digest', 'SHA-256')}/{(p.text or '').strip()}"
                                                    for p in ps.findall("pin")],
                                           expiration=ps.get("expiration")))
                walk(dc, ct, u)

        walk(root, out["cleartext_default"], out["user_cas_trusted"] and "*" in out["user_ca_domains"])
        dbg = root.find("debug-overrides")
        out["debug_user_cas"] = bool(dbg is not None and trusts_user(dbg))
    out["cleartext_allowed"] = bool(out["cleartext_default"] or out["cleartext_domains"])
    out["user_cas_trusted"] = bool(out["user_ca_domains"])
    out["domains"] = sorted(set(out["domains"]))
    out["cleartext_domains"] = sorted(set(out["cleartext_domains"]))
    out["user_ca_domains"] = sorted(set(out["user_ca_domains"]))
    return NetworkSecurity(**out)
