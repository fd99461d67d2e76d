"""Bounded content-decoding: every encoding mitmproxy removes, and bombs that stop at the bound."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

from analyzer.decode.compression import decode_body

TEXT = b'{"heart_rate": 71, "steps": 10432}' * 20
ENCODED = {
    "gzip": gzip.compress(TEXT),
    "deflate": zlib.compress(TEXT),
    "br": brotli.compress(TEXT),
    "zstd": zstandard.ZstdCompressor().compress(TEXT),
}


@pytest.mark.parametrize("enc", sorted(ENCODED))
def test_each_encoding(enc: str) -> None:
    assert decode_body(ENCODED[enc], enc).body == TEXT
    assert decode_body(TEXT, enc, only_if_encoded=True).body == TEXT      # exporter already decoded it


def test_raw_deflate_and_stacked_encodings() -> None:
    raw = zlib.compressobj(wbits=-15)
    assert decode_body(raw.compress(TEXT) + raw.flush(), "deflate").body == TEXT
    assert decode_body(brotli.compress(gzip.compress(TEXT)), "gzip, br").body == TEXT


@pytest.mark.parametrize("enc, compress", [("gzip", gzip.compress), ("br", brotli.compress),
                                           ("zstd", zstandard.ZstdCompressor().compress)])
def test_bombs_stop_at_the_bound(enc: str, compress) -> None:
    bomb = compress(b"\0" * 3_000_000)
    d = decode_body(bomb, enc, limit=1_000_000)
    assert d.body == bomb and d.error and "larger than 1000000" in d.error


def test_garbage_and_unknown_encodings_keep_the_body() -> None:
    d = decode_body(b"\x1f\x8b not gzip", "gzip")
    assert d.body == b"\x1f\x8b not gzip" and d.error and "could not be decoded" in d.error
    d = decode_body(b"abc", "compress")
    assert d.body == b"abc" and "unknown content-encoding" in (d.error or "")
    assert decode_body(b"abc", "identity").error is None


def test_binary_body_stored_decoded_under_a_br_header() -> None:
    binary = bytes(range(256)) * 4
    d = decode_body(binary, "br", only_if_encoded=True)
    assert d.body == binary and d.error is None
