"""`hpa static`: what an APK carries before it runs (hpa.static/1).

Permissions, tracker SDKs (class names matched against the knowledge base), hosts, network security
config, meta-data and exported components, over every dex file (multidex), every APK of a split bundle
(APKS/XAPK) and APKs nested inside. Class names and strings are read straight from the dex tables
(dex.py), not through androguard's full analysis, which is orders of magnitude slower.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

from ..errors import InputError
from .archive import DEFAULT_LIMITS, ApkPart, Archive, ArchiveLimits, open_archive
from .dex import DexError, DexScan, scan_dex
from .hosts import host_candidates
from .manifest import ManifestError, ManifestFacts, classify_permission, read_manifest, read_network_security
from .result import (STATIC_SCHEMA, ApkPartInfo, Component, DexInfo, NetworkSecurity, SdkHost, StaticFiles, StaticResult,
                     TrackerMatch)

__all__ = ["STATIC_SCHEMA", "scan_apk", "static_facts", "match_trackers"]
_DEX_NAME = re.compile(r"classes(\d*)\.dex")
MAX_EVIDENCE = 20          # class prefixes kept per tracker (all matched classes are counted)
_UNSEEN = object()


class _Entry(Protocol):
    entity: str
    categories: Any


class _KB(Protocol):
    def match_class(self, java_class: str) -> _Entry | None: ...


def _dex_entries(part: ApkPart) -> list[str]:
    names = [n for n in part.zip.NameToInfo if _DEX_NAME.fullmatch(n)]
    return sorted(names, key=lambda n: int(_DEX_NAME.fullmatch(n).group(1) or 1))


def _collapse(packages: set[str]) -> list[str]:
    """Keep the outermost packages: com.facebook and com.facebook.appevents give com.facebook."""
    out: list[str] = []
    for p in sorted(packages):
        if not out or not (p == out[-1] or p.startswith(out[-1] + ".")):
            out.append(p)
    return out


def _class_signature_packages(kb: _KB) -> set[str] | None:
    """Packages holding the last segment of some signature; None when the knowledge base cannot be listed."""
    try:
        sigs: set[str] = set()
        for entry in kb:  # type: ignore[attr-defined]
            sigs.update(getattr(entry, "sdk_signatures", ()) or ())
            for sdk in getattr(entry, "sdks", ()) or ():
                sigs.update(sdk.prefixes)
    except (TypeError, AttributeError):
        return None
    return {s.rstrip(".").rpartition(".")[0] for s in sigs}


def match_trackers(classes: list[str], kb: _KB) -> list[TrackerMatch]:
    """Group the classes the knowledge base recognises by SDK, with the package prefixes as evidence."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    packages: dict[tuple[str, str], set[str]] = {}
    # One lookup per package serves all its classes, except in packages where a signature names a class
    # (com.facebook.FacebookSdk): there every class is looked up (all of them when the signatures are unknown).
    by_class = _class_signature_packages(kb)
    memo: dict[str, Any] = {}
    for cls in classes:
        pkg = cls.rpartition(".")[0]
        if by_class is None or pkg in by_class:
            entry = kb.match_class(cls)
        else:
            entry = memo.get(pkg, _UNSEEN)
            if entry is _UNSEEN:
                entry = memo[pkg] = kb.match_class(cls)
        if entry is None:
            continue
        entity = entry.entity
        name = getattr(entry, "name", None) or entity
        key = (entity, name)
        if key not in found:
            found[key] = {"entity": entity, "name": name, "categories": sorted(entry.categories or []),
                          "evidence": [], "classes": 0}
            packages[key] = set()
        found[key]["classes"] += 1
        # the knowledge base says which prefix matched; otherwise the class's package is the evidence
        packages[key].add(getattr(entry, "matched", None) or (cls.rsplit(".", 1)[0] if "." in cls else cls))
    return [TrackerMatch(**{**found[key], "evidence": _collapse(packages[key])[:MAX_EVIDENCE]})
            for key in sorted(found)]


def _default_kb() -> _KB | None:
    try:
        from ..recipients.kb import load_kb
    except ModuleNotFoundError as e:       # the knowledge-base room is absent: report, do not guess
        if e.name and e.name.endswith("recipients.kb"):
            return None
        raise
    return load_kb()


def _scan_part(arc: Archive, part: ApkPart) -> tuple[ManifestFacts, list[DexScan], ApkPartInfo]:
    where = part.origin or Path(arc.path).name
    try:
        manifest = arc.read(part, "AndroidManifest.xml")
        arsc = arc.read(part, "resources.arsc") if "resources.arsc" in part.zip.NameToInfo else None
        facts = read_manifest(manifest, arsc)
    except ManifestError as e:
        raise InputError(arc.path, f"{part.origin + ': ' if part.origin else ''}{e}") from None
    dexes = []
    for name in _dex_entries(part):
        try:
            dexes.append(scan_dex(arc.read(part, name), name))
        except DexError as e:
            raise InputError(arc.path, f"{part.origin + '!' if part.origin else ''}{e}") from None
    info = ApkPartInfo(origin=where, role=part.role, package=facts.package, split=facts.split, size=part.size,
                       dex=[DexInfo(name=d.name, size=d.size, classes=len(d.classes), strings=d.strings)
                            for d in dexes])
    return facts, dexes, info


def scan_apk(path: str | Path, kb: _KB | None = None, limits: ArchiveLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Static facts of an APK / APKS / XAPK as an hpa.static/1 dict; InputError for a broken or hostile file."""
    return static_facts(path, kb, limits).to_dict()


def static_facts(path: str | Path, kb: _KB | None = None, limits: ArchiveLimits = DEFAULT_LIMITS) -> StaticResult:
    """Static facts of an APK / APKS / XAPK, typed; InputError for a broken or hostile file."""
    arc = open_archive(path, limits)
    try:
        return _scan_archive(arc, path, kb)
    finally:
        arc.close()


def _scan_archive(arc: Archive, path: str | Path, kb: _KB | None) -> StaticResult:
    base_facts: ManifestFacts | None = None
    permissions: list[str] = []
    meta: dict[str, str] = {}
    components: list[Component] = []
    classes: list[str] = []
    hosts: set[str] = set()
    sdk_hosts: set[tuple[str, str]] = set()     # (host, class whose code or static values hold it)
    files: list[ApkPartInfo] = []
    network: NetworkSecurity | None = None
    notes = [f"skipped nested APK {s}" for s in arc.skipped]
    scanned = []
    for part in arc.parts:
        try:
            scanned.append((part, *_scan_part(arc, part)))
        except InputError as e:
            if part.role != "nested" or "zip bomb" in e.problem:
                raise
            notes.append(f"skipped nested APK {e.problem}")      # the problem names the entry
    # the base APK is the one whose manifest names no split (bundle file names are only a first guess)
    if scanned[0][1].split is not None:
        for i, (part, facts, _, info) in enumerate(scanned):
            if part.role == "split" and facts.split is None:
                scanned[0][0].role = scanned[0][3].role = "split"
                part.role = info.role = "base"
                scanned.insert(0, scanned.pop(i))
                break
    for part, facts, dexes, info in scanned:
        files.append(info)
        for d in dexes:
            classes.extend(d.classes)
            for text in (*d.url_strings, *d.host_strings):
                found = host_candidates((text,))
                hosts.update(found)
                sdk_hosts.update((h, cls) for h in found for cls in d.string_classes.get(text, ()))
        hosts.update(facts.hosts)
        hosts.update(host_candidates(facts.resource_strings))
        if part.role == "nested":
            continue                       # a nested APK's code counts; its manifest is not the app's
        if base_facts is None:
            base_facts = facts
        elif facts.package != base_facts.package:
            raise InputError(arc.path, f"{part.origin}: split of {facts.package}, not of {base_facts.package}")
        permissions += [p for p in facts.permissions if p not in permissions]
        for k, v in facts.meta_data.items():
            meta.setdefault(k, v)
        components += facts.components
        if part.role == "base":
            nsc_path = facts.network_security_ref
            nsc_xml = None
            if nsc_path and not nsc_path.startswith("@"):
                if nsc_path not in part.zip.NameToInfo:
                    raise InputError(arc.path, f"{nsc_path}: named by the manifest but missing")
                nsc_xml = arc.read(part, nsc_path)
            try:
                network = read_network_security(nsc_xml, nsc_path if nsc_xml else None, facts.target_sdk,
                                                facts.uses_cleartext)
            except ManifestError as e:
                raise InputError(arc.path, str(e)) from None
            hosts.update(h for h in network.domains if "." in h)
    assert base_facts is not None  # open_archive always yields a base part
    kb = kb if kb is not None else _default_kb()
    if kb is None:
        notes.append("tracker knowledge base unavailable: trackers not matched")
    return StaticResult(
        source=str(path), format=arc.format, package=base_facts.package, version_name=base_facts.version_name,
        version_code=base_facts.version_code, min_sdk=base_facts.min_sdk, target_sdk=base_facts.target_sdk,
        permissions=[classify_permission(p) for p in sorted(permissions)],
        trackers=match_trackers(classes, kb) if kb is not None else [],
        hosts=sorted(hosts), network_security=network, meta_data=dict(sorted(meta.items())), components=components,
        files=StaticFiles(size=Path(arc.path).stat().st_size, parts=files, dex_count=sum(len(f.dex) for f in files),
                          classes=len(classes)),
        notes=notes,
        sdk_hosts=[SdkHost(host=h, cls=c) for h, c in sorted(sdk_hosts)],
    )
