"""Who receives the data: registrable domains, the tracker knowledge base, first/third party (and `static`, the APK scan)."""

from __future__ import annotations

from .domains import is_ip, registrable_domain
from .party import Recipients, package_domains

__all__ = ["Recipients", "registrable_domain", "is_ip", "package_domains"]
