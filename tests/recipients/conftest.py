from __future__ import annotations

import pytest

from analyzer.recipients.kb import KnowledgeBase, load_kb


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own HPA_HOME, so no overlay of the machine's user leaks in or gets written."""
    home = tmp_path / "hpa-home"
    monkeypatch.setenv("HPA_HOME", str(home))
    return home


@pytest.fixture
def kb() -> KnowledgeBase:
    return load_kb(False)
