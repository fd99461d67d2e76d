"""`run_capture(opts) -> Path`: one capture run, whatever the backend, into `<output>/<app_id>/<run_id>/`.

Order of a run: proxy (and pcap) up, device prepared, app launched, phases played (pre_consent -> interaction ->
background, the recorder's phase switched at each boundary), device restored, files closed, meta.json written.
meta.json is written even when the run fails half-way, so a partial capture still says what it holds.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..detect.persona import Persona, load_persona, merge_personas
from ..errors import CaptureError, InputError
from ..fsutil import clear_partial
from .confdir import secure_confdir
from .meta import PhaseRecord, RunMeta, new_run_id, run_folder, write_run_files
from .options import CaptureOptions
from .proxy import ProxyConfig, RunningProxy, generate_proxyauth, is_loopback

log = logging.getLogger(__name__)


def mitm_confdir() -> Path:
    """Where the capture CA lives: ~/.mitmproxy (shared with plain mitmproxy, so a device trusts one CA), or
    HPA_MITM_CONFDIR. Made private here, before anyone (the proxy, a batch preparing the CA) lets mitmproxy write
    its keys into it with the umask's modes."""
    return secure_confdir(Path(os.environ.get("HPA_MITM_CONFDIR") or Path.home() / ".mitmproxy").expanduser())


DEVICE_DURATION = 60.0       # seconds of interaction on a device when --duration is not given


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _single_device() -> str:
    """The one attached device, when --apk comes without a device option."""
    from . import adb

    adb.ensure_server()
    ready = [s for s, state in adb.list_serials() if state == "device"]
    if len(ready) == 1:
        _say(f"hpa: using the attached device {ready[0]}")
        return ready[0]
    if not ready:
        raise CaptureError("no device attached (adb devices lists none ready): plug in a phone with USB debugging "
                           "on, or use --avd NAME, --manual or --simulate SCENARIO")
    raise InputError(None, f"several devices attached ({', '.join(ready)}): choose one with --device SERIAL")


def _backend(opts: CaptureOptions) -> str:
    chosen = [n for n, v in (("simulate", opts.simulate), ("device", opts.device), ("avd", opts.avd),
                             ("manual", opts.manual)) if v]
    if not chosen and opts.apk:
        opts.device = _single_device()
        chosen = ["device"]
    if len(chosen) != 1:
        raise InputError(None, "choose exactly one of --device SERIAL, --avd NAME, --manual, --simulate SCENARIO"
                         + (f" (got {', '.join('--' + c for c in chosen)})" if chosen else ""))
    if opts.mode not in ("proxy", "wireguard"):
        raise InputError(None, f"--mode must be proxy or wireguard, not {opts.mode!r}")
    if opts.interact not in ("none", "monkey"):
        raise InputError(None, f"--interact must be none or monkey, not {opts.interact!r}")
    for name in ("duration", "pre_consent", "background"):
        if (getattr(opts, name) or 0) < 0:
            raise InputError(None, f"--{name.replace('_', '-')} must not be negative")
    return chosen[0]


def _proxyauth(opts: CaptureOptions) -> str | None:
    """Beyond loopback the proxy would be open to the whole network: require auth, password printed once."""
    if opts.mode == "proxy" and not is_loopback(opts.listen_host):
        auth = generate_proxyauth()
        user, pw = auth.split(":", 1)
        _say(f"hpa: proxy on {opts.listen_host}:{opts.listen_port or '(auto)'} requires authentication: "
             f"user {user}, password {pw} (shown once)")
        return auth
    return None


def _proxy_config(opts: CaptureOptions, out_dir: Path, sinkhole: bool, auth: str | None) -> ProxyConfig:
    return ProxyConfig(out_dir=out_dir, confdir=mitm_confdir(),
                       mode="wireguard" if opts.mode == "wireguard" else "regular",
                       listen_host=opts.listen_host, listen_port=opts.listen_port, sinkhole=sinkhole,
                       phase="pre_consent", proxyauth=auth)


def _options_record(opts: CaptureOptions) -> dict[str, Any]:
    from dataclasses import asdict
    return asdict(opts)


def _coverage(proxy: RunningProxy | None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    counts = proxy.counts if proxy else {}
    cov: dict[str, Any] = {"proxy_http_flows": counts.get("http", 0), "tls_failed": counts.get("tls_failed", 0),
                           "dns_queries": counts.get("dns", 0), "websocket_messages": counts.get("websocket", 0),
                           "raw_connections": counts.get("raw", 0),
                           "refused_local_connections": counts.get("refused_local", 0),
                           "write_errors": counts.get("write_errors", 0)}
    cov.update(extra or {})
    return cov


def _finish(run_dir: Path, meta: RunMeta) -> None:
    meta.end_time = time.time()
    for p in meta.phases:
        if p.end is None:
            p.end = meta.end_time
    write_run_files(run_dir, meta)


def _persona(recorded: Persona | None, opts: CaptureOptions) -> Persona:
    """What persona.json records: the device's (or simulated app's) identity merged with --known-values."""
    given = load_persona(opts.known_values) if opts.known_values else None
    return merge_personas(recorded, given) or Persona()


def run_capture(opts: CaptureOptions, keep_partial: bool = False) -> Path:
    """The run folder; it stays marked partial (fsutil.PARTIAL_MARKER) unless the run ended normally, or with
    `keep_partial` until the caller (a batch, which analyzes next) clears it."""
    backend = _backend(opts)
    if backend == "simulate":
        run_dir = _run_simulated(opts)
    elif backend == "manual":
        run_dir = _run_manual(opts)
    else:
        run_dir = _run_device(opts, backend)
    if not keep_partial:
        clear_partial(run_dir)
    return run_dir


# --- simulated -------------------------------------------------------------------------------------------------------
def _run_simulated(opts: CaptureOptions) -> Path:
    from .scenario import load_scenario
    from .simulate import play, simulated_device

    sc = load_scenario(opts.simulate or "")
    try:
        scenario_persona = Persona.from_dict(sc.persona)
    except ValueError as e:
        raise InputError(opts.simulate, f"bad scenario persona: {e}") from None
    persona = _persona(scenario_persona, opts)
    run_id = new_run_id()
    app_id = opts.app_id or sc.app_id
    run_dir = run_folder(opts.output, app_id, run_id)
    meta = RunMeta(app_id=app_id, app_name=sc.app_name, run_id=run_id, backend="simulate", mode="proxy",
                   simulated=True, sinkhole=True, scenario=sc.name, device=simulated_device(sc), persona=persona,
                   options=_options_record(opts), first_party_domains=sc.first_party_domains)
    meta.notes.append("simulated app: synthetic traffic played by hpa, not a real app; answered by the sinkhole "
                      "(nothing left this machine)")
    if opts.mode == "wireguard":
        meta.notes.append("--mode wireguard ignored: the simulated app talks to the proxy directly")
    if not opts.sinkhole:
        meta.notes.append("sinkhole forced on: a simulated run never contacts real servers")
    auth = _proxyauth(opts) or generate_proxyauth()   # per run, given to the simulated app only
    cfg = _proxy_config(opts, run_dir, sinkhole=True, auth=auth)
    cfg.mode = "regular"
    proxy = RunningProxy(cfg)
    results: list[Any] = []
    try:
        proxy.start()
        results = play(sc, proxy, meta, auth)
    finally:
        if proxy.master is not None:
            proxy.stop()
        failed = [f"{r.request.method} {r.request.url}: {r.error}" for r in results if r.error]
        meta.coverage = _coverage(proxy, {"simulated_requests": len(results), "simulated_failures": failed,
                                          "proxy_auth": bool(auth),
                                          "pcap": {"captured": False,
                                                   "reason": "simulated app: all traffic goes through the proxy"}})
        _finish(run_dir, meta)
    return run_dir


# --- phases on a real device / manual --------------------------------------------------------------------------------
def _timed_phases(proxy: RunningProxy, meta: RunMeta, plan: list[tuple[str, float, Callable[[], None] | None]],
                  sleep: Callable[[float], None] = time.sleep) -> None:
    """Switch the phase tag, run the phase's action (launch, monkey, home key), wait out its time."""
    for name, seconds, action in plan:
        proxy.set_phase(name)
        rec = PhaseRecord(name=name, start=time.time(), planned_s=seconds)
        meta.phases.append(rec)
        _say(f"hpa: phase {name} ({seconds:.0f} s)")
        if action is not None:
            action()
        left = seconds - (time.time() - rec.start)
        if left > 0:
            sleep(left)
        rec.end = time.time()


def _start_pcap(run_dir: Path, proxy: RunningProxy, meta: RunMeta, device_ip: str | None = None) -> Any:
    from .pcap import proxy_exclusion_filter, try_start

    iface = os.environ.get("HPA_PCAP_IFACE", "any")
    bpf = proxy_exclusion_filter(proxy.port)
    if device_ip:                                 # only the phone's packets: never this computer's own traffic
        bpf = f"host {device_ip}" + (f" and {bpf}" if bpf else "")
    cap, failed = try_start(run_dir / "capture.pcap", iface, bpf)
    if failed is not None:
        meta.coverage["pcap"] = failed.to_dict()
        meta.notes.append(f"no pcap: {failed.reason}")
    return cap


def _stop_pcap(cap: Any, meta: RunMeta) -> None:
    if cap is not None:
        meta.coverage["pcap"] = cap.stop().to_dict()


# --- manual --------------------------------------------------------------------------------------------------------
def _run_manual(opts: CaptureOptions) -> Path:
    from .manual import lan_address, proxy_instructions, wireguard_instructions

    app_id = opts.app_id or (apk_package(opts.apk) if opts.apk else "manual")    # "manual": inferred at analysis
    run_id = new_run_id()
    run_dir = run_folder(opts.output, app_id, run_id)
    persona = _persona(None, opts)
    meta = RunMeta(app_id=app_id, run_id=run_id, backend="manual", mode=opts.mode, sinkhole=opts.sinkhole,
                   device={"kind": "manual", "description": "device set up by the user"}, persona=persona,
                   options=_options_record(opts))
    if not persona.advertising_id:
        meta.notes.append("no --known-values: identifiers are found by key names and formats only")
    auth = _proxyauth(opts)
    proxy = RunningProxy(_proxy_config(opts, run_dir, opts.sinkhole, auth))
    cap = None
    try:
        proxy.start()
        if opts.device_ip:
            cap = _start_pcap(run_dir, proxy, meta, opts.device_ip)
            if cap is None:                 # asked for the phone's packets and cannot have them: say how, stop
                raise CaptureError(f"--device-ip {opts.device_ip}: {meta.coverage['pcap'].get('reason')}")
        else:   # on `any` the pcap would hold this computer's own traffic, taken for the app's (proxy_bypass)
            meta.coverage["pcap"] = {"captured": False, "reason": "no --device-ip: the packet capture would hold "
                                     "this computer's own traffic"}
            meta.notes.append("no pcap: give --device-ip to record the phone's packets that bypass the proxy")
        if opts.mode == "wireguard":
            _say(wireguard_instructions(proxy.wireguard_client_config() or ""))
        else:
            host = lan_address() if not is_loopback(opts.listen_host) else "127.0.0.1"
            _say(proxy_instructions(host, proxy.port, str(proxy.ca_cert), auth, is_loopback(opts.listen_host)))
        try:
            if opts.duration is None:          # until Ctrl-C (or q), the person marking the phases with keys
                from .keyphases import key_phases

                _say("hpa: recording until Ctrl-C; launch the app now and do not accept anything yet")
                key_phases(proxy.set_phase, meta.phases, lambda name, t: PhaseRecord(name=name, start=t), _say)
            else:
                _say("hpa: recording; press Ctrl-C to stop early")
                _timed_phases(proxy, meta, [("pre_consent", opts.pre_consent, lambda: _say("  launch the app now; do not accept anything yet")),
                                            ("interaction", opts.duration, lambda: _say("  use the app now")),
                                            ("background", opts.background, lambda: _say("  put the app in the background now"))])
        except KeyboardInterrupt:
            meta.notes.append("stopped with Ctrl-C")
    finally:
        if proxy.master is not None:
            proxy.stop()
        _stop_pcap(cap, meta)
        meta.coverage = _coverage(proxy, meta.coverage)
        _finish(run_dir, meta)
    return run_dir


# --- device / emulator ---------------------------------------------------------------------------------------------
def apk_package(apk: str | None) -> str:
    """The package name of an APK (aapt dump badging; androguard when aapt is absent)."""
    if not apk:
        raise InputError(None, "--apk is required with --device and --avd")
    p = Path(apk)
    if not p.is_file():
        raise InputError(apk, "no such APK")
    aapt = shutil.which("aapt")
    if aapt:
        r = subprocess.run([aapt, "dump", "badging", str(p)], capture_output=True, text=True, timeout=60)
        m = re.search(r"package: name='([^']+)'", r.stdout)
        if m:
            return m.group(1)
        raise InputError(apk, f"not a readable APK: {(r.stderr or r.stdout).strip()[:200]}")
    try:
        from androguard.core.apk import APK
        return str(APK(str(p)).get_package())
    except Exception as e:  # noqa: BLE001 - androguard raises many kinds on a broken file
        raise InputError(apk, f"not a readable APK: {e}") from e


def _run_device(opts: CaptureOptions, backend: str) -> Path:
    from . import adb, android

    app_id = apk_package(opts.apk)
    adb.ensure_server()
    emu = None
    run_id = new_run_id()
    run_dir = run_folder(opts.output, app_id, run_id)
    if backend == "avd":
        from .avd import start_emulator
        _say(f"hpa: starting emulator {opts.avd} (headless)")
        emu = start_emulator(opts.avd or "", run_dir / "emulator.log")
        serial = emu.serial
    else:
        serial = opts.device or ""
    dev = adb.connect(serial)
    info = android.device_info(dev.shell, serial)
    root = android.root_status(dev.shell)
    if not root.rooted and backend == "avd" and dev.root():
        root = android.root_status(dev.shell)
    persona = _persona(Persona(android_id=android.android_id(dev.shell),
                               advertising_id=android.advertising_id(dev.shell, root)), opts)
    meta = RunMeta(app_id=app_id, run_id=run_id, backend=backend, mode=opts.mode, sinkhole=opts.sinkhole,
                   device={"kind": "emulator" if info.emulator else "device", **info.to_dict(),
                           "rooted": root.rooted, "root_via": root.via},
                   persona=persona, options=_options_record(opts))
    if not info.emulator:
        meta.notes.append("physical device: the host pcap sees only the proxy's own upstream connections, not what "
                          "the device sent around the proxy (use --mode wireguard to route everything through it)")
    if not root.rooted:
        limits = android.non_root_limits(info.api_level)
        meta.notes.extend(limits)
        _say("hpa: " + "\nhpa: ".join(limits))
    if emu is not None and persona.lat is not None and persona.lon is not None:
        emu.geo_fix(persona.lat, persona.lon)
    auth = _proxyauth(opts)
    proxy = RunningProxy(_proxy_config(opts, run_dir, opts.sinkhole, auth))
    state = android.DeviceState()
    cap = None
    try:
        proxy.start()
        cap = _start_pcap(run_dir, proxy, meta)
        meta.coverage["ca"] = android.install_ca(dev, info, root, proxy.ca_cert.read_bytes())
        if opts.mode == "proxy":
            android.set_proxy(dev, proxy.port, state)
        else:
            from .manual import wireguard_instructions
            _say(wireguard_instructions(proxy.wireguard_client_config() or ""))
            meta.notes.append("wireguard mode: the tunnel is set up in the device's WireGuard app by the user")
        dev.install(opts.apk or "")
        state.installed = app_id
        launch = _launcher(opts, dev, root, app_id, meta, state)
        monkey = None
        if opts.duration is None:
            opts.duration = DEVICE_DURATION
        if opts.interact == "monkey":
            events = max(1, int(opts.duration / 0.4))
            monkey = lambda: dev.shell(android.monkey_command(app_id, events))  # noqa: E731
        try:
            _timed_phases(proxy, meta, [("pre_consent", opts.pre_consent, launch),
                                        ("interaction", opts.duration, monkey),
                                        ("background", opts.background,
                                         lambda: dev.shell(android.background_command()))])
        except KeyboardInterrupt:  # what was captured so far is kept and analyzed
            meta.notes.append("stopped early with Ctrl-C")
    finally:
        meta.notes.extend(android.restore(dev, state, root))
        if proxy.master is not None:
            proxy.stop()
        _stop_pcap(cap, meta)
        meta.coverage = _coverage(proxy, meta.coverage)
        _finish(run_dir, meta)
        if emu is not None:
            emu.stop()
    return run_dir


def _launcher(opts: CaptureOptions, dev: Any, root: Any, app_id: str, meta: RunMeta, state: Any) -> Callable[[], None]:
    """Launch through frida (spawn + unpin) when asked and possible, else the launcher intent."""
    from . import android

    def plain() -> None:
        dev.shell(android.launch_command(app_id))

    if not opts.unpin:
        return plain
    if not root.rooted or not opts.frida_server:
        why = "device not rooted" if not root.rooted else "no --frida-server given"
        meta.coverage["unpinning"] = {"injected": False, "error": why}
        meta.notes.append(f"TLS unpinning not done: {why}")
        return plain

    def spawn_unpinned() -> None:
        import frida

        from .frida_agent import check_versions, compile_agent, start_frida_server, unpin_app
        version = start_frida_server(dev.shell, dev.push, opts.frida_server or "", root.wrap)
        state.frida_started = True
        check_versions(frida.__version__, version)
        res = unpin_app(dev.serial, app_id, compile_agent())
        meta.coverage["unpinning"] = res.summary()
        if not res.injected:
            meta.notes.append(f"TLS unpinning failed ({res.error}); launched without it")
            plain()

    return spawn_unpinned
