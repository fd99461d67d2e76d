"""read_policy / parse_policy_text: a policy file, URL or text -> the hpa.policy/1 dict."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .claims import extract_claims
from .companies import find_companies
from .contacts import contact_domains
from .lexicon import LANGUAGES, lexicon
from .parties import named_parties, own_company
from .text import detect_language, html_to_text, load_source, segment, sentences

POLICY_SCHEMA = "hpa.policy/1"


def parse_policy_text(text: str, fmt: str = "text", *, source: str | None = None,
                      language: str | None = None) -> dict[str, Any]:
    """Claims of a policy given as text. fmt: text | markdown | html (html is reduced to its main content first;
    spans then point into that extracted text). language: en | fr, detected when None."""
    if fmt == "html":
        raw = text
        text = html_to_text(text, source or "<html>")
        extra = " ".join(re.findall(r"mailto:([^\"'>\s]+)", raw))
    elif fmt in ("text", "markdown", "md"):
        extra = ""
    else:
        raise ValueError(f"unknown policy text format: {fmt}")
    lang = language or detect_language(text)
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported policy language: {lang}")
    blocks = segment(text)
    sents = sentences(text, blocks)
    found = find_companies(text)          # once for the whole text; claims look up their span in it
    lex = lexicon(lang)
    claims = extract_claims(lex, blocks, sents, found)
    domains = contact_domains(text, extra)
    own = own_company(text + " " + extra, found)
    if own is not None:   # the policy's own company is the first party, never a recipient of its claims
        for c in claims:
            c.recipients = [r for r in c.recipients if r != own]
    return {
        "schema": POLICY_SCHEMA,
        "source": source,
        "language": lang,
        "format": fmt,
        "characters": len(text),
        "claims": [c.to_dict() for c in claims],
        "first_party": own,
        "third_parties": named_parties(lex, text, sents, found, own),
        "contact_domains": domains,
    }


def read_policy(source: str | Path, language: str | None = None) -> dict[str, Any]:
    """Read a policy file (text, Markdown, HTML, PDF) or an http(s) URL (fetched only then) into hpa.policy/1.
    Raises InputError for a missing, unreadable or empty policy, or a failed download."""
    text, fmt = load_source(source)   # HTML comes back as its main content in Markdown
    d = parse_policy_text(text, "text" if fmt in ("pdf", "text") else "markdown", source=str(source), language=language)
    d["format"] = fmt
    return d
