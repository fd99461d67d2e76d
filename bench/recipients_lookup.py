"""How fast the recipients room answers: knowledge-base load, host and class lookups, contacts.

Run: .venv/bin/python bench/recipients_lookup.py   (prints figures; no assertions)
"""

from __future__ import annotations

import os
import random
import time

from analyzer.recipients import Recipients, registrable_domain
from analyzer.recipients.kb import KnowledgeBase, all_bundled_entries


def main() -> None:
    rnd = random.Random(7)
    n = 10_000 if os.environ.get("HPA_BENCH_QUICK") else 100_000
    t = time.perf_counter()
    kb = KnowledgeBase(all_bundled_entries())
    load = time.perf_counter() - t
    known = [d for e in kb for d in e.domains]
    hosts = [f"h{rnd.randrange(10**6)}.{rnd.choice(known)}" if rnd.random() < 0.5 else
             f"api{rnd.randrange(10**6)}.unknown{rnd.randrange(5000)}.com" for _ in range(n)]
    t = time.perf_counter()
    hits = sum(kb.match_host(h) is not None for h in hosts)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for h in hosts:
        kb.match_host(h)
    warm = time.perf_counter() - t
    prefixes = [p for e in kb for p in e.sdk_signatures]
    classes = [f"{rnd.choice(prefixes)}.internal.C{i}" if rnd.random() < 0.2 else f"com.app{i % 997}.ui.Screen{i}"
               for i in range(n // 2)]
    t = time.perf_counter()
    chits = sum(kb.match_class(c) is not None for c in classes)
    cls = time.perf_counter() - t
    r = Recipients("com.flo.health", kb=kb)
    t = time.perf_counter()
    for h in hosts[: n // 5]:
        registrable_domain(h)
        r.contact(h)
    contact = time.perf_counter() - t
    print(f"recipients: {len(kb)} companies loaded in {load * 1000:.0f} ms; match_host {len(hosts) / cold:,.0f}/s cold "
          f"({hits} hits), {len(hosts) / warm:,.0f}/s cached; match_class {len(classes) / cls:,.0f}/s ({chits} hits); "
          f"contact (cold, incl. tldextract) {(n // 5) / contact:,.0f}/s")


if __name__ == "__main__":
    main()
