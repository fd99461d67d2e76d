"""`static.sdk_hosts`: each host string with the class that holds it, on real APKs built from smali.

The `refs` app (tools/apks/apps/refs) is built here by the committed build script: a host only an AppsFlyer
class names, first-party URLs behind switch and array payloads, a const-string/jumbo and a static field's
initial value. Debian's dexdump, which decodes every instruction, is the independent reference."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analyzer.static.hosts import host_candidates

from .conftest import APKS, ROOT

_CLASS = re.compile(r"Class descriptor\s*:\s*'L([^;]+);'")
_STRING = re.compile(r'const-string(?:/jumbo)? v\d+, "(.*)" // string@|^\s+value\s+: "(.*)"$')


@pytest.fixture(scope="module")
def refs_apk(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("refs")
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "apks" / "build.py"), "--only", "refs",
                          "--out-dir", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return out / "refs.apk"


def dexdump_pairs(apk: Path, tmp_path: Path) -> set[tuple[str, str]]:
    """(host, class) from dexdump's disassembly: const-string operands and static field values, per class."""
    pairs: set[tuple[str, str]] = set()
    with zipfile.ZipFile(apk) as z:
        for name in (n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n)):
            dex = tmp_path / name
            dex.write_bytes(z.read(name))
            out = subprocess.run(["dexdump", "-d", str(dex)], capture_output=True, text=True, check=True).stdout
            cls = None
            for line in out.splitlines():
                if m := _CLASS.search(line):
                    cls = m.group(1).replace("/", ".")
                elif (m := _STRING.search(line)) and cls:
                    text = m.group(1) if m.group(1) is not None else m.group(2)
                    pairs.update((h, cls) for h in host_candidates([text]))
    return pairs


@pytest.mark.parametrize("which", ["refs", "full"])
def test_sdk_hosts_agree_with_dexdump(which, refs_apk, scan, tmp_path):
    apk = refs_apk if which == "refs" else APKS / "full.apk"
    d = scan(apk)
    got = {(x["host"], x["class"]) for x in d["sdk_hosts"]}
    assert got == dexdump_pairs(apk, tmp_path)
    assert {h for h, _ in got} <= set(d["hosts"])
    assert d["sdk_hosts"] == sorted(d["sdk_hosts"], key=lambda x: (x["host"], x["class"]))


def test_refs_app_string_places(refs_apk, scan):
    """Each way a class can hold a string is found: plain, after payloads, jumbo, static value."""
    got = {(x["host"], x["class"]) for x in scan(refs_apk)["sdk_hosts"]}
    main = "org.hpa.fixture.refs.MainActivity"
    assert {("api.refs-app.example", main), ("after-payloads.refs-app.example", main),
            ("jumbo.refs-app.example", main), ("config.refs-app.example", main)} <= got
    sdk = "com.appsflyer.internal.AFc1wSDK"
    assert {("collect.sdk-telemetry-refs.net", sdk), ("sdk-telemetry-refs.net", sdk)} <= got
    assert not any(c == main for h, c in got if "telemetry" in h)


def test_sdk_host_is_attributed_to_the_sdks_company(refs_apk):
    """Recipients read sdk_hosts: a host no list names is AppsFlyer's because an AppsFlyer class holds it,
    and it is not taken as the app's own; the app's own URL stays first party."""
    from analyzer.recipients import Recipients
    from analyzer.static import scan_apk

    static = scan_apk(refs_apk)
    r = Recipients("org.hpa.fixture.refs", static=static)
    c = r.contact("collect.sdk-telemetry-refs.net")
    assert (c.entity, c.party) == ("AppsFlyer", "third")
    assert c.attribution is not None and c.attribution.method == "apk_sdk_hosts"
    assert "com.appsflyer.internal.AFc1wSDK" in c.attribution.source
    assert r.contact("api.refs-app.example").party == "first"
    without = Recipients("org.hpa.fixture.refs", static={**static, "sdk_hosts": []})
    assert without.contact("collect.sdk-telemetry-refs.net").entity is None
