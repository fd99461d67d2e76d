"""Reading a Data-safety file: hpa's JSON form, or the Play Store's page saved from a browser or copied as text."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..fsutil import parse_json_input, read_text_input
from .data_safety import DataSafety, parse_data_safety
from .data_safety_page import looks_like_page, parse_page


def load_data_safety(path: str | Path) -> DataSafety:
    """Read a Data-safety form: hpa's JSON, or the Play Store's Data safety page saved from a browser (HTML) or
    copied from it (text), English or French. InputError when missing, unreadable, or none of these."""
    p = Path(path)
    raw = read_text_input(p, "Data-safety")
    if not raw.lstrip().startswith(("{", "[")):
        if looks_like_page(raw):
            return parse_page(raw, str(p), html="<" in raw[:2000])
        raise InputError(p, "neither a Data-safety JSON form nor a Play Store Data safety page")
    return parse_data_safety(parse_json_input(raw, p, "Data-safety form"), str(p))
