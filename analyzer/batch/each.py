"""`hpa analyze CAPTURE... --each`: one report per capture, for a folder of captures without an apps.csv.

A capture that cannot be read is named on stderr and skipped; the others still get their report. Exit 0 when all
were analyzed, 1 when some failed."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from ..errors import InputError

SUFFIX = {"json": ".report.json", "html": ".report.html", "table": ".report.txt"}


def report_name(capture: Path, fmt: str, taken: set[str], shared: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """`study/a.har` -> `a.report.html`; captures sharing a name (`groups/x/capture.har`) are told apart by their
    folder (`x-capture.report.html`), any other clash by a number (`a-2.report.html`)."""
    stem = capture.name.split(".")[0] or capture.name
    if stem in shared and capture.parent.name:
        stem = f"{capture.parent.name}-{stem}"
    name, n = stem + SUFFIX[fmt], 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{SUFFIX[fmt]}"
    taken.add(name)
    return name


def analyze_each(captures: list[Path], opts: object, fmt: str, output: Path | None, redact: bool = False) -> int:
    """Analyze each capture alone; reports go to `output` (a folder, created) or, as tables, to stdout."""
    from ..fsutil import private_dir
    from ..pipeline import analyze
    from ..report import emit_report

    if output is None and fmt != "table":
        raise InputError("--each", f"give -o FOLDER for one {fmt} report per capture")
    if output is not None and output.exists() and not output.is_dir():
        raise InputError(output, "exists and is not a folder (with --each, -o names the folder of the reports)")
    out = private_dir(output) if output is not None else None
    taken: set[str] = set()
    stems = [c.name.split(".")[0] for c in captures]
    shared = {x for x in stems if stems.count(x) > 1}
    failed = 0
    for cap in captures:
        try:
            report = analyze([str(cap)], replace(opts))          # type: ignore[type-var]  # AnalyzeOptions
        except InputError as e:
            print(f"hpa: error: {e}", file=sys.stderr)
            failed += 1
            continue
        emit_report(report, fmt, out / report_name(cap, fmt, taken, shared) if out else None, redact=redact)
    done = len(captures) - failed
    print(f"hpa: {done} report(s)" + (f" in {out}" if out else "") + (f", {failed} capture(s) failed" if failed else ""),
          file=sys.stderr)
    return 1 if failed else 0
