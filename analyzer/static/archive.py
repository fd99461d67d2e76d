"""Open an APK, a split bundle (APKS/XAPK) or an APK nested in another, reading only bounded bytes.

An APK is hostile input: entries are read only when their declared size is under a cap and their
compression ratio is plausible (a zip bomb declares, or inflates to, far more than any real dex), and
the total read for one scan is capped too. The format is chosen by content, not by file extension.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

MANIFEST = "AndroidManifest.xml"


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_file_bytes: int = 2 << 30          # the APK / bundle file itself
    max_entry_bytes: int = 256 << 20       # one dex, resources.arsc or nested APK
    max_xml_bytes: int = 16 << 20          # a binary XML file (manifest, network security config)
    max_total_bytes: int = 1 << 30         # everything inflated for one scan
    max_ratio: int = 200                   # inflated/compressed, for entries over ratio_floor bytes
    ratio_floor: int = 1 << 20
    max_depth: int = 2                     # APK inside APK inside APK
    max_entries: int = 200_000


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(slots=True)
class ApkPart:
    """One APK of what was given: the base, a split, or a nested APK (`origin` says which, as a path)."""

    origin: str
    zip: zipfile.ZipFile
    size: int
    role: str = "base"                     # base | split | nested


@dataclass(slots=True)
class Archive:
    path: str
    format: str                            # apk | apks | xapk
    parts: list[ApkPart] = field(default_factory=list)
    limits: ArchiveLimits = DEFAULT_LIMITS
    inflated: int = 0
    skipped: list[str] = field(default_factory=list)     # nested APKs that could not be read, with why

    def close(self) -> None:
        for part in self.parts:
            part.zip.close()

    def read(self, part: ApkPart, name: str) -> bytes:
        """The bytes of one entry, after the size and ratio checks (InputError names the entry)."""
        info = part.zip.getinfo(name)
        if name.endswith(".xml") and info.file_size > self.limits.max_xml_bytes:
            raise InputError(self.path, f"{part.origin + '!' if part.origin else ''}{name} declares "
                                        f"{info.file_size} bytes (limit {self.limits.max_xml_bytes})")
        return read_entry(self, part.zip, info, part.origin)


def read_entry(arc: Archive, z: zipfile.ZipFile, info: zipfile.ZipInfo, origin: str) -> bytes:
    lim = arc.limits
    where = f"{origin}!{info.filename}" if origin else info.filename
    if info.file_size > lim.max_entry_bytes:
        raise InputError(arc.path, f"{where} declares {info.file_size} bytes (limit {lim.max_entry_bytes}): "
                                   "refusing a possible zip bomb")
    if info.file_size > lim.ratio_floor and info.file_size > lim.max_ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise InputError(arc.path, f"{where} compresses {ratio}:1: refusing a zip bomb")
    if arc.inflated + info.file_size > lim.max_total_bytes:
        raise InputError(arc.path, f"more than {lim.max_total_bytes} bytes to inflate: refusing a possible zip bomb")
    try:
        with z.open(info) as f:
            data = f.read(info.file_size + 1)    # zipfile stops at the declared size; +1 proves it
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as e:
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression method;
        # ValueError: an offset before the start of a nested APK (a seek on BytesIO, where a file raises OSError)
        raise InputError(arc.path, f"{where}: corrupt zip entry ({e})") from None
    if len(data) != info.file_size:
        raise InputError(arc.path, f"{where}: size differs from the one declared")
    arc.inflated += len(data)
    return data


def _open_zip(path: str, data: bytes | Path, origin: str, lim: ArchiveLimits) -> zipfile.ZipFile:
    where = f"{origin}: " if origin else ""
    try:
        z = zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
        raise InputError(path, f"{where}not an APK (not a valid zip archive: {e})") from None
    infos = z.infolist()
    if len(infos) > lim.max_entries:
        raise InputError(path, f"{where}{len(infos)} zip entries (limit {lim.max_entries})")
    return z


def _nested(arc: Archive, part: ApkPart, depth: int) -> None:
    """APK files carried as entries (assets/, res/raw/...) become parts too, down to max_depth."""
    if depth >= arc.limits.max_depth:
        return
    for info in part.zip.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".apk"):
            continue
        data = read_entry(arc, part.zip, info, part.origin)
        if not data.startswith(b"PK"):
            continue
        origin = f"{part.origin}!{info.filename}" if part.origin else info.filename
        try:
            z = _open_zip(arc.path, data, origin, arc.limits)
        except InputError as e:             # a broken asset does not make the app unreadable: note it
            arc.skipped.append(e.problem)    # already names the entry
            continue
        if MANIFEST not in z.NameToInfo:
            continue
        child = ApkPart(origin=origin, zip=z, size=len(data), role="nested")
        arc.parts.append(child)
        _nested(arc, child, depth + 1)


def _bundle_order(z: zipfile.ZipFile, names: list[str]) -> list[str]:
    """Base APK first: the one manifest.json (XAPK) names base, else a name with 'base'/'master', else the first."""
    base = None
    if "manifest.json" in z.NameToInfo and z.getinfo("manifest.json").file_size < 1 << 20:
        try:
            meta = json.loads(z.read("manifest.json"))
            for s in meta.get("split_apks") or []:
                if s.get("id") == "base" and s.get("file") in names:
                    base = s["file"]
            if base is None and f"{meta.get('package_name')}.apk" in names:
                base = f"{meta['package_name']}.apk"
        except (ValueError, AttributeError, TypeError, zipfile.BadZipFile, zlib.error):
            pass
    if base is None:
        ranked = sorted(names, key=lambda n: (not n.rsplit("/", 1)[-1].startswith("base"), "master" not in n, n))
        base = ranked[0]
    return [base] + [n for n in names if n != base]


def open_archive(path: str | Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> Archive:
    """Read the file and list its APK parts: base first, then splits, then nested APKs."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise InputError(path, "not a file")
        if size > limits.max_file_bytes:
            raise InputError(path, f"{size} bytes is more than the {limits.max_file_bytes} bytes limit")
        with p.open("rb"):
            pass                                # unreadable files fail here, with a clear message
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except IsADirectoryError:
        raise InputError(path, "not a file") from None
    z = _open_zip(str(path), p, "", limits)   # entries are read on demand, not the whole file
    if MANIFEST in z.NameToInfo:
        arc = Archive(path=str(path), format="apk", limits=limits)
        arc.parts.append(ApkPart(origin="", zip=z, size=size))
    else:
        apks = [i.filename for i in z.infolist() if i.filename.lower().endswith(".apk") and not i.is_dir()]
        if not apks:
            raise InputError(path, "not an APK: no AndroidManifest.xml and no APK inside")
        fmt = "xapk" if "manifest.json" in z.NameToInfo else "apks"
        arc = Archive(path=str(path), format=fmt, limits=limits)
        for i, name in enumerate(_bundle_order(z, apks)):
            inner = read_entry(arc, z, z.getinfo(name), "")
            iz = _open_zip(str(path), inner, name, limits)
            if MANIFEST not in iz.NameToInfo:
                raise InputError(path, f"{name}: not an APK (no AndroidManifest.xml)")
            arc.parts.append(ApkPart(origin=name, zip=iz, size=len(inner), role="base" if i == 0 else "split"))
        z.close()                                # the APKs inside were read into memory
    for part in list(arc.parts):
        _nested(arc, part, 1)
    return arc
