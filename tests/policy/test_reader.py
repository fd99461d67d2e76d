"""Reading policies: HTML boilerplate stripped, PDF, URL, language, errors."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.policy import read_policy
from analyzer.policy.text import load_source

from .helpers import claims_of, minimal_pdf

ROOT = Path(__file__).resolve().parents[2]

HTML = """<!DOCTYPE html><html><head><title>Privacy</title></head><body>
<nav class="main-nav"><a href="/">Home</a> <a href="/shop">We sell wonderful sleep masks</a> <a href="/share">Share with friends</a></nav>
<div id="cookie-banner" class="cookie-consent">We use cookies and share browsing data with advertising partners. <button>Accept all cookies</button></div>
<main><article><h1>Privacy policy</h1>
<p>This policy explains how Sleepwell handles your data. We are committed to protecting your privacy at all times.</p>
<h2>Sleep data</h2><p>We never share it with third parties. It stays on our servers in the EU, and is deleted on request.</p>
<h2>Partners</h2><p>We work with the following partners:</p><ul><li>Mixpanel, for product analytics</li><li>Sentry, for crash reports</li></ul>
</article></main>
<footer>© 2025 Sleepwell Ltd. We sell nothing here. <a href="mailto:privacy@sleepwell.example">Contact</a></footer>
</body></html>"""


def test_html_boilerplate_is_stripped_and_structure_kept(tmp_path: Path) -> None:
    p = tmp_path / "policy.html"
    p.write_text(HTML)
    d = read_policy(p)
    text, fmt = load_source(p)
    assert fmt == "html" and d["format"] == "html"
    for noise in ("cookie", "Accept all", "sleep masks", "Share with friends", "We sell nothing"):
        assert noise not in text
        assert not any(noise in c["sentence"] for c in d["claims"])
    neg = claims_of(d, "share", "negative")
    assert neg and neg[0]["details"] == ["sleep"]           # the heading "Sleep data" is the subject of "it"
    assert {c["recipients"][0] for c in claims_of(d, "share", "positive")} >= {"Mixpanel", "Sentry"}
    for c in d["claims"]:
        assert text[c["span"][0]:c["span"][1]] == c["sentence"]


def test_pdf_policy(tmp_path: Path) -> None:
    p = tmp_path / "policy.pdf"
    p.write_bytes(minimal_pdf(["Privacy Policy", "", "We do not sell your personal data.",
                               "We share your advertising ID with AppsFlyer for attribution."]))
    d = read_policy(p)
    assert d["format"] == "pdf" and d["language"] == "en"
    assert claims_of(d, "sell")[0]["polarity"] == "negative"
    share = claims_of(d, "share")[0]
    assert share["recipients"][0] == "AppsFlyer" and share["data_types"] == ["device_ids"]


def test_broken_pdf_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    with pytest.raises(InputError):
        read_policy(p)


@pytest.mark.parametrize("content,problem", [(None, "no such file"), (b"", "empty"), (b"   \n", "empty")])
def test_missing_or_empty_file(tmp_path: Path, content: bytes | None, problem: str) -> None:
    p = tmp_path / "p.txt"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        read_policy(p)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_policy(tmp_path)


def test_windows_1252_text(tmp_path: Path) -> None:
    p = tmp_path / "p.txt"
    p.write_bytes("Nous ne vendons jamais vos données personnelles à des tiers.".encode("cp1252"))
    d = read_policy(p)
    assert d["language"] == "fr" and claims_of(d, "sell")[0]["polarity"] == "negative"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path == "/privacy":
            body = HTML.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_is_fetched(server: str) -> None:
    d = read_policy(server + "/privacy")
    assert d["source"] == server + "/privacy" and d["format"] == "html"
    assert claims_of(d, "share", "negative")


def test_url_errors_are_input_errors(server: str) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        read_policy(server + "/nope")
    with pytest.raises(InputError, match="could not fetch"):
        read_policy("http://127.0.0.1:9/privacy")   # discard port: connection refused


def test_language_detection_on_demo_policies() -> None:
    assert read_policy(ROOT / "policies" / "grossesse.html")["language"] == "fr"
    assert read_policy(ROOT / "policies" / "mindful.html")["language"] == "en"
