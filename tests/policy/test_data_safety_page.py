"""`--data-safety` also reads the Play Store's Data safety page as people get it: saved from a browser (HTML, the
DOM as Chromium serializes it) or copied as text, in English and in French."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.policy import load_data_safety

# The page's layout: section headings, then per category a heading and a line of types, purposes, "Optional".
PAGE_EN = """<!doctype html><html><head><title>Data safety</title><script>var x = "Data shared";</script></head><body>
<header><h1>Data safety</h1></header>
<div><div><h2>Data shared</h2><div>Data that may be shared with other companies or organizations</div>
 <div><span>Health and fitness</span><div><span>Health info</span></div><div>Analytics, Advertising or marketing</div></div>
 <div><span>Device or other IDs</span><div><span>Device or other IDs</span></div><div>Advertising or marketing</div></div>
</div>
<div><h2>Data collected</h2><div>Data this app may collect</div>
 <div><span>Personal info</span><div><span>Email address, Name</span></div><div>Account management</div>
  <div><span>Optional</span></div></div>
 <div><span>Location</span><div>App functionality</div></div>
</div>
<div><h2>Security practices</h2><div>Data is encrypted in transit</div>
 <div>You can request that data be deleted</div></div></div>
</body></html>"""

PAGE_FR = """<!doctype html><html><body>
<h2>Sécurité des données</h2>
<section><h2>Données partagées</h2><div><span>Santé et remise en forme</span>
 <div>Informations de santé et infos sur l'activité physique</div></div></section>
<section><h2>Données collectées</h2><div><span>Informations personnelles</span>
 <div>Adresse e-mail</div></div></section>
</body></html>"""

COPIED_EN = """Data safety
Safety starts with understanding how developers collect and share your data.
No data shared with third parties
Learn more about how developers declare sharing
Data collected
Data this app may collect
Health and fitness
Health info and Fitness info
App functionality, Analytics
Security practices
Data is encrypted in transit
"""


def _saved_by_chromium(html: str, tmp_path: Path) -> Path:
    """The page as a browser saves it: Chromium loads it and serializes its DOM."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    src = tmp_path / "src.html"
    src.write_text(html, encoding="utf-8")
    r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", src.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "<body" in r.stdout, r.stderr[-500:]
    out = tmp_path / "data-safety.html"
    out.write_text(r.stdout, encoding="utf-8")
    return out


def test_english_page_saved_from_a_browser(tmp_path: Path) -> None:
    ds = load_data_safety(_saved_by_chromium(PAGE_EN, tmp_path))
    assert ds.declares_shared("health_fitness.health") and not ds.declares_shared("health_fitness.fitness")
    assert ds.declares_shared("device_ids")
    assert ds.declares_collected("personal_info.email") and not ds.declares_shared("personal_info.email")
    assert ds.data_types["personal_info.email"].optional and not ds.data_types["health_fitness.health"].optional
    assert "analytics" in ds.data_types["health_fitness.health"].purposes
    # a category listed without its types stands for all of them
    assert ds.declares_collected("location.precise") and ds.declares_collected("location.approximate")
    assert ds.security == {"encrypted_in_transit": True, "deletion_request": True}
    assert not ds.no_data_shared


def test_french_page_saved_from_a_browser(tmp_path: Path) -> None:
    ds = load_data_safety(_saved_by_chromium(PAGE_FR, tmp_path))
    assert ds.declares_shared("health_fitness.health") and ds.declares_shared("health_fitness.fitness")
    assert ds.declares_collected("personal_info.email") and not ds.declares_shared("personal_info.email")


def test_copied_text_with_no_data_shared(tmp_path: Path) -> None:
    p = tmp_path / "data-safety.txt"
    p.write_text(COPIED_EN, encoding="utf-8")
    ds = load_data_safety(p)
    assert ds.no_data_shared and not ds.declares_shared("health_fitness.health")
    assert ds.declares_collected("health_fitness.health") and ds.declares_collected("health_fitness.fitness")
    assert ds.data_types["health_fitness.fitness"].purposes == ["app_functionality", "analytics"]


def test_other_text_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("My shopping list\nmilk\n", encoding="utf-8")
    with pytest.raises(InputError, match="neither a Data-safety JSON form nor a Play Store Data safety page"):
        load_data_safety(p)
