"""`--manual`: tell the user how to point a device at the proxy (text + a QR code in the terminal)."""

from __future__ import annotations

import io
import socket


def lan_address() -> str:
    """The address other machines reach this one at (no packet is sent: UDP connect only picks the route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def qr_text(data: str) -> str:
    import qrcode

    q = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    q.add_data(data)
    out = io.StringIO()
    q.print_ascii(out=out, invert=True)
    return out.getvalue()


def proxy_instructions(host: str, port: int, ca_path: str, proxyauth: str | None, loopback: bool) -> str:
    lines = ["Point the device at the capture proxy:"]
    if loopback:
        lines += [f"  the proxy listens on 127.0.0.1:{port}: for a USB device run `adb reverse tcp:{port} tcp:{port}`",
                  f"  then set Wi-Fi proxy (or `adb shell settings put global http_proxy 127.0.0.1:{port}`);",
                  "  for a phone on the network, re-run with --listen-host 0.0.0.0 (proxy authentication is then on)."]
    else:
        lines += [f"  Wi-Fi > your network > Proxy: manual, host {host}, port {port}"]
        if proxyauth:
            user, pw = proxyauth.split(":", 1)
            lines += [f"  proxy user {user}, password {pw} (shown once; apps that cannot authenticate fail: "
                      "prefer --mode wireguard)"]
    lines += [f"  install the CA: {ca_path} (or browse to http://mitm.it through the proxy);",
              "  Android 7+ apps ignore user CAs unless rooted (system store) or unpinned with frida.",
              "Block QUIC (UDP 443) if you can, so apps fall back to TLS over TCP."]
    return "\n".join(lines)


def wireguard_instructions(client_conf: str) -> str:
    return ("Import this WireGuard configuration on the device (WireGuard app > + > Scan from QR code),\n"
            "then install the CA (http://mitm.it through the tunnel):\n\n" + client_conf + "\n\n" + qr_text(client_conf))
