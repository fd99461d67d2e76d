"""The unpinning agent compiles against frida-java-bridge and loads into a real local process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

frida = pytest.importorskip("frida")

from analyzer.capture import frida_agent  # noqa: E402
from analyzer.errors import CaptureError  # noqa: E402


def _bundle(tmp_path) -> str:
    try:
        frida_agent.find_project_root()
    except CaptureError as e:
        pytest.skip(str(e))
    return frida_agent.compile_agent(cache_dir=tmp_path)


def test_agent_compiles_with_java_bridge(tmp_path):
    js = _bundle(tmp_path)
    assert "hpa-unpin" in js and "SSL_CTX_set_custom_verify" in js
    assert "frida-java-bridge" in js or "JavaScriptCore" in js or "ArtMethod" in js   # the bridge is bundled in
    assert list(tmp_path.glob("unpin-*.js"))                                           # cached for the next run
    assert frida_agent.compile_agent(cache_dir=tmp_path) == js


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="attaching to a process needs root (ptrace) here")
def test_agent_loads_into_local_process_and_hooks_native_tls(tmp_path):
    js = _bundle(tmp_path)
    # a process with an OpenSSL-based TLS stack loaded (python's _ssl)
    proc = subprocess.Popen([sys.executable, "-c", "import ssl, time; time.sleep(60)"])
    try:
        time.sleep(0.5)
        session = frida.attach(proc.pid)
        try:
            msgs = frida_agent.load_agent(session, js, wait_s=5)
        finally:
            session.detach()
    finally:
        proc.kill()
        proc.wait()
    native = next(m for m in msgs if m.get("part") == "native")
    java = next(m for m in msgs if m.get("part") == "java")
    assert any(h.startswith("SSL_CTX_set_verify@") for h in native["hooked"])
    assert java["available"] is False and java["missing"] == ["no Java VM in this process"]
    summary = frida_agent.UnpinResult(True, proc.pid, msgs).summary()
    assert summary["java_vm"] is False and summary["hooked"]


def test_version_check_messages():
    frida_agent.check_versions("17.2.1", "17.2.5\n")          # same major.minor: fine
    with pytest.raises(CaptureError, match="frida version mismatch: host frida 17.2.1, frida-server 16.5.9"):
        frida_agent.check_versions("17.2.1", "16.5.9")
    with pytest.raises(CaptureError, match="did not report a version"):
        frida_agent.check_versions("17.2.1", "/system/bin/sh: ./hpa-frida-server: not executable: 64-bit ELF file")
