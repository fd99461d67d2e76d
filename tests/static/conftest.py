"""Shared fixtures for the `hpa static` tests: the committed APKs and a tiny tracker matcher.

The tiny matcher stands in for analyzer.recipients.kb so these tests pin the behaviour of static.py
itself (grouping, evidence prefixes); one test also runs against the real knowledge base when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APKS = ROOT / "tests" / "fixtures" / "apks"
DEMO = ROOT / "demo" / "apks"
HPA = ROOT / ".venv" / "bin" / "hpa"


@dataclass
class TinyEntry:
    entity: str
    categories: list[str] = field(default_factory=list)
    name: str | None = None


TINY = {
    "com.facebook": TinyEntry("Meta", ["advertising", "analytics"], "Facebook SDK"),
    "com.google.firebase.analytics": TinyEntry("Google", ["analytics"], "Google Firebase Analytics"),
    "com.google.android.gms.measurement": TinyEntry("Google", ["analytics"], "Google Firebase Analytics"),
    "com.google.android.gms.ads": TinyEntry("Google", ["advertising"], "Google AdMob"),
    "com.appsflyer": TinyEntry("AppsFlyer", ["attribution"]),
    "com.adjust.sdk": TinyEntry("Adjust", ["attribution"]),
    "com.braze": TinyEntry("Braze", ["engagement"]),
    "io.sentry": TinyEntry("Sentry", ["crash_reporting"]),
    "com.bugsnag": TinyEntry("Bugsnag", ["crash_reporting"]),
    "cn.jpush": TinyEntry("Jiguang", ["engagement"]),
    "com.umeng": TinyEntry("Umeng", ["analytics"]),
    "com.yandex.metrica": TinyEntry("Yandex", ["analytics"]),
    "io.branch": TinyEntry("Branch", ["attribution"]),
    "com.mixpanel": TinyEntry("Mixpanel", ["analytics"]),
    "com.amplitude": TinyEntry("Amplitude", ["analytics"]),
    "com.onesignal": TinyEntry("OneSignal", ["engagement"]),
    "com.batch.android": TinyEntry("Batch", ["engagement"]),
}


class TinyKB:
    """Longest Java-package prefix wins, like the real knowledge base's match_class."""

    def match_class(self, name: str):
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            hit = TINY.get(".".join(parts[:i]))
            if hit:
                return hit
        return None


@pytest.fixture(scope="session")
def tiny_kb() -> TinyKB:
    return TinyKB()


@pytest.fixture(scope="session")
def scan(tiny_kb):
    """scan(path) with the tiny matcher, cached per path for the session."""
    from analyzer.static import scan_apk

    cache: dict[str, dict] = {}

    def _scan(path: Path) -> dict:
        key = str(path)
        if key not in cache:
            cache[key] = scan_apk(path, kb=tiny_kb)
        return cache[key]

    return _scan
