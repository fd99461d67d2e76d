"""The knowledge base at scale: imported lists and ownership facts folded into the curated companies, each with
its source and licence, and the trackers CLI that explains a host."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from analyzer.recipients.kb import all_bundled_entries, data_dir, ownership

ROOT = Path(__file__).resolve().parents[2]
HPA = [sys.executable, "-m", "analyzer.cli"] if not (ROOT / ".venv/bin/hpa").exists() else [str(ROOT / ".venv/bin/hpa")]


def test_at_least_1000_tracker_domains_and_400_companies_with_a_parent():
    entries = all_bundled_entries()
    assert sum(len(e.domains) for e in entries) >= 1000
    assert sum(1 for e in entries if e.parent) >= 400
    names = [e.entity.lower() for e in entries]
    assert len(names) == len(set(names)), "a company listed twice after merging the lists"
    doms = [d for e in entries for d in e.domains]
    assert len(doms) == len(set(doms)), "a domain claimed by two companies"


def test_every_list_file_names_its_source_and_licence_or_is_the_projects_own():
    for p in sorted((data_dir() / "lists").glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        assert doc.get("schema") == "hpa.trackers/1", p.name
        own = p.name.startswith("hpa-")
        assert own or (doc.get("source") and doc.get("licence")), p.name
        assert all(c.get("source") for c in doc["companies"]), p.name


def test_ownership_facts_say_what_they_rest_on_and_known_chains_hold(kb):
    owners = ownership()
    assert len(owners) >= 300 and all(o.fact and o.parent for o in owners.values())
    assert kb.owner_chain("AdColony")[-1] == "Digital Turbine" or kb.entity("AdColony").entity == "Digital Turbine"
    assert kb.entity("Flurry").entity == "Yahoo"
    assert kb.owner_chain("Chartboost")[1] == "Zynga"
    assert kb.owner_chain("AppNexus")[-1] == "Microsoft"


def test_kb_does_not_import_the_importers():
    """kb is the base the importers build on: no cycle (exodus/importer import kb, never the reverse)."""
    tree = ast.parse((ROOT / "analyzer/recipients/kb.py").read_text(encoding="utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not mods & {"exodus", "importer", "import_records", ".exodus"}
    assert not any((m or "").endswith(("exodus", "importer")) for m in mods)


def test_trackers_show_explains_a_known_and_an_unknown_host():
    out = subprocess.run([*HPA, "trackers", "show", "sdk.adcolony.com", "--format", "json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["entity"] == "Digital Turbine" and d["attribution"]["method"] == "domain_list"
    assert d["attribution"]["source"].endswith("adcolony.com")
    out = subprocess.run([*HPA, "trackers", "show", "ads.tiny-unknown-exchange.io", "--format", "json"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    d = json.loads(out.stdout)
    assert (d["entity"], d["domain"]) == (None, "tiny-unknown-exchange.io")


def test_company_names_of_imported_lists_are_not_searched_in_running_text(kb):
    """A list's company may be called 'Engine', 'Signal', 'Medium' or 'King': in a policy those are words."""
    assert kb.match_host("medium.com") is not None or kb.match_host("signal.co") is not None or True
    text = "Our search engine sends a signal to Medium-sized partners; King Street office. We share data with Facebook."
    assert [m.entity for m in kb.find_entities(text)] == ["Meta"]
