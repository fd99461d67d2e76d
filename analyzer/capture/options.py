"""CaptureOptions: what `hpa capture` was asked to do (fields and defaults mirror analyzer/cli.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class CaptureOptions:
    apk: str | None = None
    device: str | None = None          # adb serial of an attached device/emulator
    avd: str | None = None             # Android SDK emulator to start headless
    manual: bool = False               # print set-up, record until Ctrl-C or duration
    simulate: str | None = None        # built-in scenario name or scenario JSON path
    mode: str = "proxy"                # proxy | wireguard
    unpin: bool = True                 # inject the frida unpinning agent (device backends, rooted)
    frida_server: str | None = None    # frida-server binary to push to the device
    duration: float | None = None      # seconds of interaction (None: 60 on a device, until Ctrl-C for --manual)
    pre_consent: float = 10.0          # seconds launched without interaction
    background: float = 5.0            # seconds in the background
    interact: str = "none"             # none | monkey
    sinkhole: bool = False             # answer every request locally (forced for --simulate)
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    output: str = "captures"
    known_values: str | None = None    # hpa.persona/1 JSON of the test identity
    app_id: str | None = None          # the package to file the run under (batch: the apps.csv app_id)
    device_ip: str | None = None       # --manual: the phone's address (the pcap keeps only its traffic)
