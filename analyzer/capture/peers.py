"""Who may use the capture proxy. While a capture runs, any local user could relay through it and land their requests
in the capture; the device's traffic arrives from the adb server (`adb reverse`), which cannot present a proxy password
(Android's global proxy setting has no credentials). So a connection made from this machine is accepted only when the
process that made it runs as us or as the adb server; connections from elsewhere (a phone on the LAN) are left to
proxy authentication. Linux: the owner of a local TCP socket is in /proc/net/tcp{,6}.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
LISTEN = "0A"
ADB_PORT = 5037


def _proc_addr(text: str) -> tuple[str, int]:
    """`0100007F:1F90` -> ("127.0.0.1", 8080): the kernel's hex, in host byte order per 32-bit word."""
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(words)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip), int(port, 16)


def _rows() -> list[tuple[tuple[str, int], tuple[str, int], str, int]]:
    rows = []
    for table in PROC_TABLES:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 8:
                continue
            try:
                rows.append((_proc_addr(parts[1]), _proc_addr(parts[2]), parts[3], int(parts[7])))
            except ValueError:
                continue
    return rows


def _norm(addr: tuple[Any, ...]) -> tuple[str, int]:
    ip = ipaddress.ip_address(str(addr[0]).split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip), int(addr[1])


def local_peer_uid(peer: tuple[Any, ...], sock: tuple[Any, ...]) -> int | None:
    """The uid owning the local socket that connected from `peer` to our `sock`, or None when the peer is not a
    socket of this machine (or the table cannot be read)."""
    try:
        want_local, want_remote = _norm(peer), _norm(sock)
    except ValueError:
        return None
    for local, remote, _state, uid in _rows():
        if local == want_local and remote[1] == want_remote[1]:
            return uid
    return None


def listening_uid(port: int) -> int | None:
    """The uid of the process listening on local TCP `port` (the adb server on 5037), or None."""
    for local, _remote, state, uid in _rows():
        if state == LISTEN and local[1] == port:
            return uid
    return None


def allowed_uids() -> set[int]:
    uids = {os.getuid()}
    adb = listening_uid(int(os.environ.get("ANDROID_ADB_SERVER_PORT") or ADB_PORT))
    if adb is not None:
        uids.add(adb)
    return uids


class LocalUserGuard:
    """mitmproxy addon: closes a client connection made by another local user before anything is read from it."""

    def __init__(self, uids: set[int] | None = None) -> None:
        self.uids = uids if uids is not None else allowed_uids()
        self.refused = 0

    def client_connected(self, client: Any) -> None:
        if not client.peername or not client.sockname:
            return
        uid = local_peer_uid(client.peername, client.sockname)
        if uid is not None and uid not in self.uids:
            self.refused += 1
            client.error = f"refused: local user uid {uid} is not the one running this capture"
            log.warning("hpa: proxy connection from local uid %s refused (not this capture's user)", uid)
