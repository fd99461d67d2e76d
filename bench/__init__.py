"""hpa's benchmarks (`python -m bench`), labeled detection corpus (`bench.quality`) and fuzzers (`python -m bench.fuzz`)."""
