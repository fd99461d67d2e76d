"""Shared fixtures for the capture tests: one capture CA per session (generating it takes ~1 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.capture.proxy import ProxyConfig, RunningProxy

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mitm-conf")


@pytest.fixture
def env_confdir(confdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HPA_MITM_CONFDIR", str(confdir))
    return confdir


@pytest.fixture
def proxy_factory(confdir: Path, tmp_path: Path):
    started: list[RunningProxy] = []

    def make(**kw) -> RunningProxy:
        kw.setdefault("sinkhole", True)
        cfg = ProxyConfig(out_dir=kw.pop("out_dir", tmp_path / "run"), confdir=confdir, **kw)
        p = RunningProxy(cfg).start()
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()
