"""static/: what an APK carries before it runs (`hpa static`, hpa.static/1): permissions, tracker SDKs, hosts,
network security, over every dex, every APK of a split bundle and APKs nested inside.

- `scan_apk(path) -> dict` (hpa.static/1 JSON), `static_facts(path) -> StaticResult` (the same, typed records of
  `result.py`); `scan.py` drives `archive.py` (APK/APKS/XAPK, bounded), `manifest.py`
  (binary XML, permissions), `dex.py` (class names and strings from the dex tables), `hosts.py` (host names in
  strings). Tracker SDKs are matched with the recipients room's knowledge base.
"""

from __future__ import annotations

from .result import StaticResult
from .scan import STATIC_SCHEMA, scan_apk, static_facts

__all__ = ["STATIC_SCHEMA", "StaticResult", "scan_apk", "static_facts"]
