"""Public suffixes from the list bundled with tldextract, read here directly.

Importing tldextract pulls in requests and urllib3 (~80-100 ms at every start of `hpa`) only to offer a
download hpa never makes; the list itself is a data file shipped inside the tldextract package. The ICANN
section is read (as tldextract with include_psl_private_domains=False) and matched with tldextract's own
rules: labels right to left, the longest rule wins, a wildcard takes one more label unless an exception
rule names it, punycode labels are matched decoded. `tests/traffic/test_suffixes.py` holds the two equal.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from ..errors import InputError

SNAPSHOT = ".tld_set_snapshot"
PRIVATE_SECTION = "// ===BEGIN PRIVATE DOMAINS==="
_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)     # tldextract's rule pattern

Trie = dict[str, "Trie"]
END = ""          # key marking the end of a rule in a trie node (no label is empty in the list)


def snapshot_path() -> Path:
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("tldextract", "not installed: its bundled public suffix list is needed")
    return Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT


@cache
def _trie() -> Trie:
    path = snapshot_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(path, f"unreadable public suffix list ({e})") from None
    root: Trie = {}
    for m in _RULE.finditer(text.partition(PRIVATE_SECTION)[0]):
        node = root
        for label in reversed(m.group("suffix").split(".")):
            node = node.setdefault(label, {})
        node[END] = {}
    return root


def top_level_domains() -> frozenset[str]:
    """The last label of every ICANN rule (`com`, `uk`, `ck` of `*.ck`): the top-level domains that exist."""
    return frozenset(_trie())


def _decoded(label: str) -> str:
    low = label.lower()
    if low.startswith("xn--"):
        try:
            import idna          # only for punycode labels; tldextract decodes with the same package

            return idna.decode(low)
        except (UnicodeError, IndexError):
            pass
    return low


def suffix_index(labels: list[str]) -> int | None:
    """Index of the first label of the public suffix in `labels`; None when no rule matches."""
    node = _trie()
    suffix_idx = label_idx = len(labels)
    for label in reversed(labels):
        decoded = _decoded(label)
        child = node.get(decoded) if decoded != END else None
        if child is not None:
            label_idx -= 1
            node = child
            if END in node:
                suffix_idx = label_idx
            continue
        if "*" in node:
            return label_idx if "!" + decoded in node else label_idx - 1
        break
    return None if suffix_idx == len(labels) else suffix_idx


def split_domain(host: str) -> tuple[str, str]:
    """(label under the suffix, public suffix) as tldextract gives them: ('', '') when no suffix is known,
    ('', suffix) for a bare suffix."""
    labels = host.strip().rstrip(".\u3002\uff0e\uff61").split(".")       # the root label, as tldextract drops it
    i = suffix_index(labels)
    if i is None:
        return "", ""
    return (labels[i - 1] if i > 0 else ""), ".".join(labels[i:])
