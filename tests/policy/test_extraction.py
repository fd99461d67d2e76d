"""HTML policies keep all their text; a plain-text file named .html is read as text."""

from __future__ import annotations

from pathlib import Path

from analyzer.policy import read_policy
from analyzer.policy.text import load_source

SECTIONS = [
    ("1. What Information Do We Collect?",
     "<b>a. We Do Not Collect Personal Information.</b> Personal Information includes your location, name, e-mail "
     "address and telephone number.<br><br><b>b. Other Information.</b> When you use the app we may collect the model "
     "of your phone, its operating system version and a unique device number."),
    ("2. How We Use Information",
     "We use the device information to keep the app working on every phone model and to count how many people use "
     "each version of it, so that we know which versions still need our support."),
    ("3. Disclosure",
     "We do not store Personal Information, so it cannot be disclosed by us to advertisers or any other company."),
    ("4. Security",
     "We keep the information we collect on servers protected by access controls, and we review who can reach them "
     "every three months."),
    ("5. Contact",
     "If you have questions about this policy, you can write to our support team at any time by e-mail."),
]


def _page() -> str:
    body = "".join(f'<div class="p"><div class="h">{h}</div><br>{t}</div>\n' for h, t in SECTIONS)
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Privacy Policy of Gadget</title>"
            "<style>.p{margin:16px}.h{font-weight:700}</style></head><body><div class='header'></div>"
            f'<div class="p"><div class="h">Privacy Policy of Gadget</div><br>Gadget respects your privacy.</div>'
            f"{body}<div class='footer'></div></body></html>")


def test_every_section_of_an_html_policy_is_kept(tmp_path: Path) -> None:
    p = tmp_path / "policy.html"
    p.write_text(_page(), encoding="utf-8")
    text, fmt = load_source(p)
    assert fmt == "html"
    flat = " ".join(text.split())
    for heading, _ in SECTIONS:
        assert heading in flat
    assert "each version of it" in flat and "every three months" in flat and "unique device number" in flat
    d = read_policy(p)
    assert any(c["polarity"] == "negative" and c["action"] == "collect" for c in d["claims"])
    assert any(c["polarity"] == "positive" and "device_id" in c["details"] for c in d["claims"])


def test_plain_text_named_html_is_text(tmp_path: Path) -> None:
    p = tmp_path / "privacy.html"
    p.write_text("PRIVACY POLICY\n\nWe collect your e-mail address. We never sell your data.\n", encoding="utf-8")
    text, fmt = load_source(p)
    assert fmt == "text" and "We never sell your data." in text
    d = read_policy(p)
    assert any(c["action"] == "sell" and c["polarity"] == "negative" for c in d["claims"])
