"""Share of real tracker domains hpa names a company for, and gives a parent, with the owner checked by name.

    python -m bench.recipients_attribution [--sample bench/out/recipients_sample.tsv]

Domain sets, built from public material none of hpa's lists was made from:
- `trackhar-adid`: registrable domains of the endpoints of TrackHAR's adapters (npm `trackhar@1.0.0`, CC0, tweasel)
  that decode an `advertisingId`: real ad-tech endpoints observed receiving a device's advertising ID in app traffic;
- `trackhar-all`: the endpoints of every TrackHAR adapter;
- `realworld`: the hosts of the 60 real SDK requests in ../shared/realworld/traffic (skipped when absent).
Each set comes with the company the source names (TrackHAR's `tracker.name`, the truth file's company): a domain
counts as correct when that name resolves (policy-name canonicalization, owners chain included) to hpa's company or
one of its owners; a name hpa cannot resolve is listed for a person to check. `--sample` writes 100 attributions
(the sets' domains first, then a seeded draw from the knowledge base) for hand-checking.
Prints figures only; TrackHAR is installed with npm into bench/out/node (not a test dependency).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

from analyzer.recipients.domains import registrable_domain
from analyzer.recipients.kb import KnowledgeBase, load_kb

HERE = Path(__file__).resolve().parent
REALWORLD = HERE.parent.parent.parent / "shared" / "realworld" / "traffic" / "truth.json"
if not REALWORLD.exists():
    REALWORLD = Path("/work/shared/realworld/traffic/truth.json")


def host_of_endpoint(url: str) -> str | None:
    """'https://adc3-launch.adcolony.com/v4/launch' or a regex source such as
    '^https:\\/\\/app(\\.eu)?\\.adjust\\.(com|net\\.in)\\/session$' -> one host the endpoint matches."""
    if url.startswith("re:"):
        s = url[3:].lstrip("^")
        m = re.search(r"https\??:\\?/\\?/(.*?)(\\/|\$|$)", s)
        if not m:
            return None
        h = m.group(1)
        h = re.sub(r"\([^()]*\)\?", "", h)                          # optional groups out
        h = re.sub(r"\(([^()|]*)(\|[^()]*)?\)", r"\1", h)            # first alternative of a group
        h = re.sub(r"\[[^\]]*\][+*?]?|\\d(\{[^}]*\})?[+*?]?|\.[+*]|[-]?\?|\{[^}]*\}", "x", h)
        h = h.replace("\\.", ".").replace("\\-", "-")
        if h.endswith(".x"):                    # a wildcard top-level domain names no concrete domain
            return None
        return h if re.fullmatch(r"[a-z0-9.-]+", h) else None
    m = re.match(r"https?://([^/]+)", url)
    return m.group(1) if m else None


def trackhar_sets() -> tuple[dict[str, str], dict[str, str], str]:
    from bench.trackhar_compare import install

    pkg, why = install()
    if pkg is None or not shutil.which("node"):
        return {}, {}, why or "node not found"
    r = subprocess.run(["node", str(HERE / "trackhar_adapters.mjs"), str(pkg)], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return {}, {}, f"node failed: {r.stderr.strip()[-200:]}"
    adid: dict[str, str] = {}
    every: dict[str, str] = {}
    for a in json.loads(r.stdout):
        for u in a["endpoints"]:
            h = host_of_endpoint(u)
            if not h:
                continue
            d = registrable_domain(h)
            every.setdefault(d, a["tracker"])
            if "advertisingId" in a["properties"]:
                adid.setdefault(d, a["tracker"])
    return adid, every, ""


def realworld_set() -> dict[str, str]:
    if not REALWORLD.exists():
        return {}
    truth = json.loads(REALWORLD.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for g in truth["groups"].values():
        for e in g["entries"]:
            names = {c for _, c in e["expect"]} or {c for _, c in e["optional"]}
            if len(names) == 1:
                out.setdefault(e["url"].split("/")[2], names.pop())
    return out


def judge(kb: KnowledgeBase, host: str, expected: str) -> tuple[str | None, list[str], str]:
    """(hpa's company, its owners, verdict: correct | wrong | unnamed | unverifiable)."""
    e = kb.match_host(host)
    if e is None:
        return None, [], "unnamed"
    chain = kb.owner_chain(e.entity)
    norm = [re.sub(r"\W+", " ", x).strip().lower() for x in chain]
    if re.sub(r"\W+", " ", expected).strip().lower() in norm:       # the source names hpa's company or an owner
        return e.entity, chain[1:], "correct"
    words = expected.split()
    canon = next((c for n in range(len(words), 0, -1) if (c := kb.canonical_name(" ".join(words[:n])))), None)
    if canon is None:                                               # 'Adform A/S' -> 'Adform': leading words
        return e.entity, chain[1:], "unverifiable"
    owners = {kb.canonical_name(x) or x for x in chain} | set(chain)
    exp_chain = set(kb.owner_chain(canon))
    return e.entity, chain[1:], "correct" if owners & exp_chain else "wrong"


def measure(kb: KnowledgeBase, name: str, items: dict[str, str]) -> list[tuple[str, str, str | None, list[str], str]]:
    rows = [(h, exp, *judge(kb, h, exp)) for h, exp in sorted(items.items())]
    n = len(rows)
    named = sum(r[2] is not None for r in rows)
    parent = sum(bool(r[2]) and bool(kb.entity(r[2]) and kb.entity(r[2]).parent) for r in rows)
    correct = sum(r[4] == "correct" for r in rows)
    wrong = [r for r in rows if r[4] == "wrong"]
    unver = [r for r in rows if r[4] == "unverifiable"]
    print(f"recipients_attribution {name}: {n} domains; named {named}/{n} ({100 * named / max(n, 1):.0f} %); "
          f"with a parent {parent}/{n} ({100 * parent / max(n, 1):.0f} %); owner confirmed by the source's name "
          f"{correct}/{named}; wrong {len(wrong)}; not resolvable by name {len(unver)}")
    for r in wrong + unver:
        print(f"  check {name}: {r[0]}: source says {r[1]!r}, hpa says {r[2]} (owners {' -> '.join(r[3]) or '-'}) [{r[4]}]")
    unnamed = [r[0] for r in rows if r[2] is None]
    if unnamed:
        print(f"  unnamed {name}: {', '.join(unnamed)}")
    return rows


def write_sample(kb: KnowledgeBase, rows: list, path: Path) -> None:
    seen = {r[0] for r in rows}
    sample = [(r[0], r[2], " -> ".join(r[3])) for r in rows if r[2]]
    rnd = random.Random(22)
    pool = sorted({d for e in kb.entries for d in e.domains} - seen)
    while len(sample) < 100 and pool:
        d = pool.pop(rnd.randrange(len(pool)))
        e = kb.match_host(d)
        sample.append((d, e.entity, " -> ".join(kb.owner_chain(e.entity)[1:])))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fp:
        fp.write("domain\tcompany\towners\tfile\n")
        for d, ent, owners in sample[:100]:
            m = kb.match_host(d)
            fp.write(f"{d}\t{ent}\t{owners}\t{m.file_for_domain(m.matched or '')}\n")
    print(f"recipients_attribution: sample of {min(100, len(sample))} attributions for hand-checking in {path}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=Path, default=HERE / "out" / "recipients_sample.tsv")
    args = ap.parse_args(argv)
    kb = load_kb(False)
    entries = kb.entries
    print(f"recipients_attribution knowledge base: {len(entries)} companies, {sum(len(e.domains) for e in entries)} "
          f"domains, {sum(1 for e in entries if e.parent)} companies with a parent")
    adid, every, why = trackhar_sets()
    rows: list = []
    if adid:
        rows += measure(kb, "trackhar-adid", adid)
        measure(kb, "trackhar-all", every)
    else:
        print(f"recipients_attribution trackhar: NOT INSTALLED ({why})")
    rw = realworld_set()
    if rw:
        rows += measure(kb, "realworld", rw)
    else:
        print("recipients_attribution realworld: skipped (../shared/realworld/traffic absent)")
    write_sample(kb, rows, args.sample)


if __name__ == "__main__":
    main()
