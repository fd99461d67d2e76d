"""Dask settings that suit hpa's tasks (data/batch/dask.json): set on hpa's own client, and given to the scheduler
and workers as environment variables, since hpa does not start them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "batch" / "dask.json"


@cache
def dask_settings() -> dict[str, Any]:
    """Dotted dask config keys and their values (`distributed.admin.tick.interval: 1s`)."""
    return json.loads(DATA.read_text(encoding="utf-8"))["settings"]


def dask_env() -> dict[str, str]:
    """The settings as the environment variables dask reads at start (`DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL`)."""
    return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
            for key, value in dask_settings().items()}
