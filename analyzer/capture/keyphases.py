"""`hpa capture --manual` without --duration: the person at the phone marks the phases with a key (and Enter):
`c` consent given (interaction), `b` background, `i` interaction again, `q` stop; Ctrl-C also stops. Each key
closes the running phase and opens the next in meta.json, and tags the flows from then on."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, TextIO

KEYS = {"c": "interaction", "i": "interaction", "b": "background"}
HELP = "keys (then Enter): c consent given / using the app, b app in background, i interaction again, q stop"


def key_phases(set_phase: Callable[[str], None], phases: list[Any], record: Callable[[str, float], Any],
               say: Callable[[str], None], keys: TextIO | None = None) -> None:
    """Start in pre_consent; switch on each key until `q`, Ctrl-C or the end of input (then wait for Ctrl-C)."""
    keys = keys or sys.stdin

    def switch(name: str) -> None:
        now = time.time()
        if phases and phases[-1].end is None:
            phases[-1].end = now
        set_phase(name)
        phases.append(record(name, now))
        say(f"hpa: phase {name}")

    switch("pre_consent")
    say("hpa: " + HELP)
    try:
        for line in keys:
            key = line.strip().lower()[:1]
            if key == "q":
                break
            if key in KEYS and KEYS[key] != phases[-1].name:
                switch(KEYS[key])
            elif key:
                say("hpa: " + HELP)
        else:                                     # no keyboard (input closed): record until Ctrl-C
            while True:
                time.sleep(3600)
    finally:
        if phases and phases[-1].end is None:
            phases[-1].end = time.time()
