"""The `hpa` command line: one function per command, no logic (that lives in the rooms below).

Imports are lazy so `hpa --help` stays fast. Every InputError becomes one line on stderr and exit 2.
"""

from __future__ import annotations

import copy
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from . import __version__
from .errors import CaptureError, InputError

app = typer.Typer(
    name="hpa",
    help="Health-app privacy analyzer: what an app sends, to whom, and whether its promises hold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
trackers_app = typer.Typer(help="The tracker knowledge base: list, show a company or a host, import a tracker list.",
                           no_args_is_help=True)
app.add_typer(trackers_app, name="trackers")


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"


class PlainFormat(str, Enum):
    table = "table"
    json = "json"


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


class Mode(str, Enum):
    proxy = "proxy"
    wireguard = "wireguard"


class Interact(str, Enum):
    none = "none"
    monkey = "monkey"


OutOpt = Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here instead of stdout.")]
RedactOpt = Annotated[bool, typer.Option("--redact", help="Mask personal values (keyed hash); locations are kept.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hpa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                 help="Print the version and exit.")] = False) -> None:
    pass


@app.command()
def analyze(
    captures: Annotated[list[Path], typer.Argument(help="mitmproxy dumps, HAR, hpa JSONL, pcap/pcapng or capture folders.")],
    app_id: Annotated[Optional[str], typer.Option("--app-id", help="Package name of the app.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Privacy policy (file or URL).")] = None,
    data_safety: Annotated[Optional[Path], typer.Option("--data-safety", help="Play Store Data-safety form: hpa JSON, or the store page saved as HTML or copied as text (EN/FR).")] = None,
    known_values: Annotated[Optional[Path], typer.Option("--known-values", help="hpa.persona/1 JSON of the test identity.")] = None,
    apk: Annotated[Optional[Path], typer.Option("--apk", help="The app's APK, for first-party hosts and static facts.")] = None,
    first_party: Annotated[Optional[list[str]], typer.Option("--first-party", help="A first-party domain (repeatable).")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    output: OutOpt = None,
    redact: RedactOpt = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes for analysis (default 0: for a HAR, hpa JSONL or "
                                      "capture folder of 2 MB or more, the cores, up to one per 2 MB and 8; else one)."
                                      )] = 0,
    keylog: Annotated[Optional[Path], typer.Option("--keylog", help="SSLKEYLOGFILE: decrypt TLS in pcaps (needs tshark).")] = None,
    each: Annotated[bool, typer.Option("--each", help="One report per capture (into the -o folder), not one for "
                                       "all; exit 1 when some capture failed.")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of the label's words: en or fr.")] = None,
) -> None:
    """Analyze existing captures and print or write the report (hpa.report/1)."""
    import os

    from .pipeline import AnalyzeOptions, analyze as run
    from .report import emit_report

    if lang:
        os.environ["HPA_LANG"] = lang          # read by verdict.names (and by --jobs worker processes)
    opts = AnalyzeOptions(app_id=app_id, policy=policy, data_safety=str(data_safety) if data_safety else None,
                          known_values=str(known_values) if known_values else None,
                          apk=str(apk) if apk else None, first_party_domains=list(first_party or []), jobs=jobs,
                          keylog=str(keylog) if keylog else None)
    if each:
        from .batch.each import analyze_each

        raise typer.Exit(analyze_each(list(captures), opts, fmt.value, output, redact=redact))
    report = run([str(c) for c in captures], opts)
    emit_report(report, fmt.value, output, redact=redact)


@app.command()
def static(
    apk: Annotated[Path, typer.Argument(help="APK, split bundle (APKS/XAPK).")],
    fmt: Annotated[PlainFormat, typer.Option("--format", "-f")] = PlainFormat.table,
    output: OutOpt = None,
) -> None:
    """Static facts of an APK: permissions, tracker SDKs, hosts, network security (hpa.static/1)."""
    from .static import scan_apk
    from .report.tables import emit_static

    emit_static(scan_apk(str(apk)), fmt.value, output)


@app.command()
def policy(
    source: Annotated[str, typer.Argument(help="Policy file (text, Markdown, HTML, PDF) or URL.")],
    fmt: Annotated[PlainFormat, typer.Option("--format", "-f")] = PlainFormat.table,
    output: OutOpt = None,
) -> None:
    """Read a privacy policy's claims, English or French (hpa.policy/1)."""
    from .policy import read_policy
    from .report.policy_table import emit_policy

    emit_policy(read_policy(source), fmt.value, output)


# listed in --simulate's help without importing the capture room (a glob, so `hpa --help` stays fast)
SCENARIOS = sorted(p.stem for p in (Path(__file__).parent / "data" / "capture" / "scenarios").glob("*.json"))


@app.command()
def capture(
    apk: Annotated[Optional[Path], typer.Option("--apk", help="The APK to run (on the single attached device "
                                                "unless --device, --avd, --manual or --simulate says otherwise).")] = None,
    device: Annotated[Optional[str], typer.Option("--device", help="Serial of an attached device/emulator "
                                                  "(needed only when several are attached).")] = None,
    avd: Annotated[Optional[str], typer.Option("--avd", help="Start this Android SDK emulator headless.")] = None,
    manual: Annotated[bool, typer.Option("--manual", help="Print proxy set-up and record until Ctrl-C (or "
                                         "--duration); mark phases with keys: c consent given, b background, "
                                         "i interaction, q stop.")] = False,
    simulate: Annotated[Optional[str], typer.Option("--simulate", help="Run a built-in simulated app scenario: "
                                                    + ", ".join(SCENARIOS) + " (or a scenario JSON file).")] = None,
    app_id: Annotated[Optional[str], typer.Option("--app-id", help="Package name of the app (else read from the "
                                                  "APK, or inferred from the traffic).")] = None,
    first_party: Annotated[Optional[list[str]], typer.Option("--first-party", help="A first-party domain "
                                                             "(repeatable).")] = None,
    device_ip: Annotated[Optional[str], typer.Option("--device-ip", help="--manual: the phone's address; the "
                                                     "packet capture keeps only its traffic.")] = None,
    mode: Annotated[Mode, typer.Option("--mode")] = Mode.proxy,
    unpin: Annotated[bool, typer.Option("--unpin/--no-unpin", help="Inject the frida TLS-unpinning agent.")] = True,
    frida_server: Annotated[Optional[Path], typer.Option("--frida-server", help="frida-server binary for the device.")] = None,
    duration: Annotated[Optional[float], typer.Option("--duration", help="Seconds of interaction (default 60 on "
                                                       "a device; --manual: until Ctrl-C).")] = None,
    pre_consent: Annotated[float, typer.Option("--pre-consent", help="Seconds launched without interaction.")] = 10.0,
    background: Annotated[float, typer.Option("--background", help="Seconds in the background.")] = 5.0,
    interact: Annotated[Interact, typer.Option("--interact")] = Interact.none,
    policy: Annotated[Optional[str], typer.Option("--policy")] = None,
    data_safety: Annotated[Optional[Path], typer.Option("--data-safety")] = None,
    known_values: Annotated[Optional[Path], typer.Option("--known-values")] = None,
    sinkhole: Annotated[bool, typer.Option("--sinkhole/--forward", help="Answer every request locally (no data reaches real trackers).")] = False,
    listen_host: Annotated[str, typer.Option("--listen-host", help="Proxy address; not loopback requires proxy auth.")] = "127.0.0.1",
    listen_port: Annotated[int, typer.Option("--listen-port")] = 0,
    output: Annotated[Path, typer.Option("-o", "--output", help="Captures folder.")] = Path("captures"),
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    redact: RedactOpt = False,
) -> None:
    """Run the app, capture its traffic through mitmproxy, then analyze it."""
    from .capture import CaptureOptions, run_capture
    from .pipeline import AnalyzeOptions, analyze as run
    from .report import emit_report, write_capture_reports

    opts = CaptureOptions(apk=str(apk) if apk else None, device=device, avd=avd, manual=manual, simulate=simulate,
                          mode=mode.value, unpin=unpin, frida_server=str(frida_server) if frida_server else None,
                          duration=duration, pre_consent=pre_consent, background=background,
                          interact=interact.value, sinkhole=sinkhole, listen_host=listen_host,
                          listen_port=listen_port, output=str(output),
                          known_values=str(known_values) if known_values else None, app_id=app_id,
                          device_ip=device_ip)
    run_dir = run_capture(opts)      # its persona.json already holds --known-values, merged with the device's
    report = run([str(run_dir)], AnalyzeOptions(app_id=app_id, policy=policy,
                                                data_safety=str(data_safety) if data_safety else None,
                                                apk=str(apk) if apk else None,
                                                first_party_domains=list(first_party or [])))
    write_capture_reports(report, run_dir, redact=redact)
    emit_report(report, fmt.value, None, redact=redact)
    typer.echo(f"capture and report: {run_dir}", err=True)


@app.command()
def batch(
    apps_csv: Annotated[Path, typer.Argument(help="apps.csv (columns documented in the README).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Device slots used in parallel.")] = 2,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:PORT.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("captures"),
    resume: Annotated[bool, typer.Option("--resume", help="Skip apps already done.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Time limit per app, seconds.")] = 600.0,
    redact: RedactOpt = False,
) -> None:
    """Run many apps (static, capture, analyze, report) and build a guide over all of them.

    Exit 0 when every app succeeded, 1 when some failed (results.csv says why), 2 for a bad apps.csv."""
    from .batch import BatchOptions, run_batch

    result = run_batch(BatchOptions(apps_csv=str(apps_csv), jobs=jobs, scheduler=scheduler, output=str(output),
                                    resume=resume, timeout=timeout, redact=redact))
    raise typer.Exit(result.exit_code)


@app.command()
def export(
    captures_dir: Annotated[Path, typer.Argument(help="A captures folder (as written by capture or batch).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.parquet,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Folder for the tables.")] = None,
    redact: RedactOpt = False,
    evidence: Annotated[bool, typer.Option("--evidence", help="Instead of tables, one archive for regulators and "
                                           "courts: captures, reports, policy and Data-safety files, and a manifest "
                                           "of SHA-256 hashes, versions, devices and times.")] = False,
) -> None:
    """Export flows, fields, data flows and findings as tables, for researchers (or --evidence: a checkable archive)."""
    if evidence:
        from .report.evidence import write_evidence

        write_evidence(str(captures_dir), str(output) if output else None)
        return
    from .report.export import export_tables

    export_tables(str(captures_dir), fmt.value, str(output) if output else None, redact=redact)


@app.command()
def doctor(fmt: Annotated[PlainFormat, typer.Option("--format", "-f")] = PlainFormat.table) -> None:
    """Which capture backends and tools this machine has, and how to install the rest."""
    from .capture.doctor import print_doctor

    print_doctor(fmt.value)


@trackers_app.command("list")
def trackers_list(fmt: Annotated[PlainFormat, typer.Option("--format", "-f")] = PlainFormat.table) -> None:
    """List the companies of the knowledge base (bundled plus your overlay)."""
    from .report.trackers import cli_list

    cli_list(fmt.value)


@trackers_app.command("show")
def trackers_show(name: Annotated[str, typer.Argument(help="Company, domain or SDK class prefix.")],
                  fmt: Annotated[PlainFormat, typer.Option("--format", "-f")] = PlainFormat.table) -> None:
    """Show one company (domains, SDK signatures, owners, source), or how a host name is attributed."""
    from .report.trackers import cli_show

    cli_show(name, fmt.value)


@trackers_app.command("import")
def trackers_import(file: Annotated[Path, typer.Argument(help="Tracker list: Exodus, Tracker Radar/TDS, Disconnect or hpa JSON, or CSV (domain,company,...).")]) -> None:
    """Merge a tracker list into your local overlay."""
    from .report.trackers import cli_import

    cli_import(str(file))


def _plain_help_types(cmd: Any) -> None:
    """Options show PATH, TEXT, NUMBER, proxy|wireguard and nothing for a flag in help, not `<str>` / `<list[Path]>`."""
    for sub in (getattr(cmd, "commands", None) or {}).values():
        _plain_help_types(sub)
    for p in cmd.params:
        if p.metavar is not None or getattr(p, "is_flag", False):
            continue                    # a flag shows nothing
        t = p.type
        if t.name == "choice":
            word = "|".join(str(getattr(c, "value", c)) for c in t.choices)
        else:
            word = {"path": "PATH", "float": "NUMBER", "integer": "INTEGER", "int": "INTEGER"}.get(t.name, "TEXT")
        if p.param_type_name == "argument":     # its name stays; typer shows the type's own metavar beside it
            t = p.type = copy.copy(t)
            t.get_metavar = lambda param, ctx=None, w=word: w
        else:
            p.metavar = word + ("..." if p.nargs != 1 or getattr(p, "multiple", False) else "")


def main() -> None:
    """Entry point: turn expected errors into one line and exit code 2, never a traceback."""
    from typer.main import get_command

    try:
        cmd = get_command(app)
        _plain_help_types(cmd)
        cmd()
    except InputError as e:
        print(f"hpa: error: {e}", file=sys.stderr)
        sys.exit(2)
    except CaptureError as e:
        print(f"hpa: capture failed: {e}", file=sys.stderr)
        sys.exit(3)
    except KeyboardInterrupt:
        print("hpa: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
