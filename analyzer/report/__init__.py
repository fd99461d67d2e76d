"""Reports: JSON (hpa.report/1), a terminal summary, a self-contained HTML page."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsutil import atomic_write_text
from ..model import Report
from .redact import redact_report


def report_dict(report: Report, redact: bool = False) -> dict[str, Any]:
    d = report.to_dict()
    return redact_report(d, known_values=report.known_values) if redact else d


def report_json(report: Report, redact: bool = False) -> str:
    return json.dumps(report_dict(report, redact), indent=2, ensure_ascii=False, default=str) + "\n"


def emit_report(report: Report, fmt: str, output: Path | str | None, redact: bool = False) -> None:
    """Print (stdout) or write (atomically, 0600) the report as table, json or html."""
    if fmt == "json":
        text = report_json(report, redact)
    elif fmt == "html":
        from .html import render_html
        text = render_html(report_dict(report, redact))
    else:
        from .terminal import print_report
        if output is None:
            print_report(report_dict(report, redact))
            return
        from io import StringIO
        from rich.console import Console
        buf = StringIO()
        print_report(report_dict(report, redact), Console(file=buf, width=120, force_terminal=False))
        text = buf.getvalue()
    if output is None:
        sys.stdout.write(text)
    else:
        _write_output(output, text)


def _write_output(output: Path | str, text: str) -> None:
    # an output that cannot be written (a folder, a path under a file, no permission) is the user's input error
    try:
        atomic_write_text(output, text)
    except OSError as e:
        raise InputError(output, f"cannot write the report here ({e.strerror or e.__class__.__name__})") from None


def write_capture_reports(report: Report, run_dir: Path | str, redact: bool = False) -> tuple[Path, Path]:
    """report.json and report.html beside the capture they describe."""
    from .html import render_html
    run_dir = Path(run_dir)
    d = report_dict(report, redact)
    j = atomic_write_text(run_dir / "report.json", json.dumps(d, indent=2, ensure_ascii=False, default=str) + "\n")
    h = atomic_write_text(run_dir / "report.html", render_html(d))
    return j, h
