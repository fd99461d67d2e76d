"""Plain names for data types and details ("health_fitness.health" -> "health information", "email_sha256" ->
"hashed e-mail"), English or French, from `analyzer/data/report/names_<lang>.json`. An unknown id is shown as it is,
with its underscores turned into spaces, so nothing is ever hidden."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "report"
LANGS = ("en", "fr")
LANG_ENV = "HPA_LANG"           # the report's language (set by `--lang`), English by default


def report_lang() -> str:
    lang = os.environ.get(LANG_ENV, "en").lower()[:2]
    return lang if lang in LANGS else "en"


@lru_cache(maxsize=len(LANGS))
def _names(lang: str) -> dict[str, Any]:
    return json.loads((DATA / f"names_{lang}.json").read_text(encoding="utf-8"))


def data_type_name(data_type: str, lang: str | None = None) -> str:
    return _names(lang or report_lang())["data_types"].get(data_type) or data_type.replace("_", " ")


def detail_name(detail: str, lang: str | None = None) -> str:
    names = _names(lang or report_lang())
    kind, _, label = detail.partition(":")
    if kind == "custom" and label:
        return names["phrases"]["custom"].format(label=label)
    return names["details"].get(detail) or detail.replace("_", " ")


def what_name(data_type: str, details: list[str], lang: str | None = None, most: int = 4) -> str:
    """'health information (pregnancy, symptoms)'; the details alone when they say it all."""
    shown: list[str] = []
    for d in details:
        n = detail_name(d, lang)
        if n not in shown:
            shown.append(n)
    if not shown:
        return data_type_name(data_type, lang)
    more = f" +{len(shown) - most}" if len(shown) > most else ""
    return f"{data_type_name(data_type, lang)} ({', '.join(shown[:most])}{more})"


def phrase(key: str, lang: str | None = None, **kw: str) -> str:
    return _names(lang or report_lang())["phrases"][key].format(**kw)
