"""Rebuild `whotracksme-2018-05.json` from the WhoTracksMe tracker database shipped in the PyPI package
`whotracksme==2018.5.17` (file `whotracksme/data/assets/trackerdb.sql`; package licence: MIT, Cliqz GmbH).

    pip download --no-deps whotracksme==2018.5.17 && unzip whotracksme-*.whl 'whotracksme/data/assets/trackerdb.sql'
    python tools/lists/convert_whotracksme.py whotracksme/data/assets/trackerdb.sql

Kept: every tracker domain whose tracker has a company (or whose tracker name is itself a company name, not a bare
domain), grouped by company; WhoTracksMe categories mapped by `whotracksme_categories.json`; browser extensions left
out. Deterministic: same input, same file. Run by hand, never at run time.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def convert(sql_path: Path) -> dict:
    cmap = json.loads((HERE / "whotracksme_categories.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(":memory:")
    db.executescript(sql_path.read_text(encoding="utf-8"))
    rows = db.execute(
        """select coalesce(co.name, t.name), coalesce(co.website_url, t.website_url), cat.name, d.domain
           from tracker_domains d join trackers t on d.tracker = t.id
           left join companies co on co.id = t.company_id left join categories cat on cat.id = t.category_id
           order by 1, 4""").fetchall()
    companies: dict[str, dict] = {}
    for name, website, cat, domain in rows:
        name = " ".join(name.split())
        if cat in cmap["skip"] or ("." in name and " " not in name):      # a bare domain is not a company name
            continue
        c = companies.setdefault(name, {"entity": name, "categories": [], "domains": {}})
        if website and "website" not in c:
            c["website"] = website.strip()
        cats = cmap["map"].get(cat, [])
        c["domains"][domain.strip().lower()] = cats
        for x in cats:
            if x not in c["categories"]:
                c["categories"].append(x)
    return {
        "schema": "hpa.trackers/1",
        "about": "Tracker domains and their companies from the WhoTracksMe tracker database (Cliqz GmbH), May 2018.",
        "source": "whotracksme 2018.5.17 (PyPI), whotracksme/data/assets/trackerdb.sql",
        "licence": "MIT (package metadata of whotracksme 2018.5.17, Cliqz GmbH); attribution kept here",
        "companies": [dict(c, source="WhoTracksMe trackerdb 2018-05") for c in companies.values()],
    }


if __name__ == "__main__":
    out = HERE.parents[1] / "analyzer" / "data" / "recipients" / "lists" / "whotracksme-2018-05.json"
    doc = convert(Path(sys.argv[1]))
    text = json.dumps(doc, ensure_ascii=False, separators=(", ", ": "))
    out.write_text(text + "\n", encoding="utf-8")
    print(f"{out}: {len(doc['companies'])} companies, {sum(len(c['domains']) for c in doc['companies'])} domains")
