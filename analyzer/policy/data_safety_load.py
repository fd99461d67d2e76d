"""Reading a Data-safety file: hpa's JSON form, or the Play Store's page saved from a browser or copied as text."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from .data_safety import DataSafety, parse_data_safety
from .data_safety_page import looks_like_page, parse_page


def load_data_safety(path: str | Path) -> DataSafety:
    """Read a Data-safety form: hpa's JSON, or the Play Store's Data safety page saved from a browser (HTML) or
    copied from it (text), English or French. InputError when missing, unreadable, or none of these."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a Data-safety file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(p, f"cannot read: {e}") from None
    if not raw.lstrip().startswith(("{", "[")):
        if looks_like_page(raw):
            return parse_page(raw, str(p), html="<" in raw[:2000])
        raise InputError(p, "neither a Data-safety JSON form nor a Play Store Data safety page")
    try:
        d = json.loads(raw)
    except json.JSONDecodeError as e:
        raise InputError(p, f"not valid JSON (line {e.lineno}: {e.msg})") from None
    except RecursionError:
        raise InputError(p, "not a Data-safety form: JSON nested too deep") from None
    return parse_data_safety(d, str(p))
