"""Domains of the policy's own e-mail addresses and web links: the controller's domains, which the recipients room
uses for first-party inference. Links to a named third party (facebook.com/policy...) are left out."""

from __future__ import annotations

import re
from collections import Counter

from ..traffic.names import is_ip
from ..traffic.suffixes import split_domain
from .companies import matcher

EMAIL = re.compile(r"[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})", re.I)
_URL = re.compile(r"(?:https?://|www\.)((?:[a-z0-9-]+\.)+[a-z]{2,})", re.I)
# Hosts that appear in policies without being the controller's: regulators, standard bodies, app stores.
_NOT_CONTROLLER = {"cnil.fr", "ico.org.uk", "edpb.europa.eu", "europa.eu", "ftc.gov", "oag.ca.gov", "w3.org",
                   "youronlinechoices.com", "youronlinechoices.eu", "aboutads.info", "networkadvertising.org",
                   "allaboutcookies.org", "apple.com", "play.google.com", "gdpr-info.eu", "legifrance.gouv.fr",
                   "privacyshield.gov", "dataprivacyframework.gov"}


def registrable(host: str) -> str | None:
    host = host.lower().rstrip(".")
    label, suffix = split_domain(host)       # the bundled public suffix list: no network
    if label and suffix:
        return f"{label}.{suffix}"
    labels = host.split(".")   # reserved names (RFC 2606: .example, .test) are not in the suffix list
    return ".".join(labels[-2:]) if len(labels) >= 2 and not is_ip(host) else None


def _third_party_domain(domain: str) -> bool:
    label = domain.split(".")[0]
    m = matcher()
    return bool(m.regex.fullmatch(label) or label in {k.replace(" ", "") for k in m.canonical})


def contact_domains(*texts: str) -> list[str]:
    """Registrable domains of e-mail addresses (always) and links (unless a known third party), most used first."""
    counts: Counter[str] = Counter()
    for text in texts:
        for m in EMAIL.finditer(text):
            d = registrable(m.group(1))
            if d and d not in _NOT_CONTROLLER:
                counts[d] += 2   # an e-mail address is the strongest sign of the controller
        for m in _URL.finditer(text):
            d = registrable(m.group(1))
            if d and d not in _NOT_CONTROLLER and not _third_party_domain(d):
                counts[d] += 1
    return [d for d, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
