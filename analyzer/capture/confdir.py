"""mitmproxy's settings folder holds the capture CA (its key, and the certificate hpa installs on the device) and
wireguard.conf (server and client private keys). Another local user who can write there could swap the CA the device
trusts, or read the keys: the folder is made 0700, the secrets 0600, and nothing in it writable by others.

mitmproxy writes these files itself with the process umask (0777 folder, 0666 certificate under umask 000), so the
folder is secured before mitmproxy starts and the files after it made them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import CaptureError
from ..fsutil import DIR_MODE, FILE_MODE, private_dir

SECRET_FILES = ("mitmproxy-ca.pem", "mitmproxy-ca.p12", "wireguard.conf")   # private keys
PUBLIC_MODE = 0o644                                                          # certificates: readable, never writable


def _check_owner(path: Path, st: os.stat_result) -> None:
    if st.st_uid != os.getuid():
        raise CaptureError(f"{path}: owned by another user (uid {st.st_uid}); the capture CA there cannot be trusted. "
                           "Use a folder of your own (HPA_MITM_CONFDIR)")


def secure_confdir(confdir: Path) -> Path:
    """Before mitmproxy starts: the folder exists, is ours and is 0700 (it is hpa's settings folder, not a shared
    one, so an existing folder is tightened too)."""
    confdir = Path(confdir)
    if confdir.is_symlink():
        raise CaptureError(f"{confdir}: is a symbolic link; give the real folder (HPA_MITM_CONFDIR)")
    private_dir(confdir)
    st = confdir.stat()
    _check_owner(confdir, st)
    if stat.S_IMODE(st.st_mode) != DIR_MODE:
        os.chmod(confdir, DIR_MODE)
    return confdir


def secure_confdir_files(confdir: Path) -> list[str]:
    """After mitmproxy made its files: keys 0600, certificates 0644 at most. Returns what was changed."""
    changed = []
    for entry in sorted(Path(confdir).iterdir()):
        st = entry.lstat()
        if not stat.S_ISREG(st.st_mode):
            continue
        _check_owner(entry, st)
        mode = stat.S_IMODE(st.st_mode)
        want = FILE_MODE if entry.name in SECRET_FILES else mode & PUBLIC_MODE
        if mode != want:
            os.chmod(entry, want)
            changed.append(f"{entry.name} {mode:o} -> {want:o}")
    return changed
