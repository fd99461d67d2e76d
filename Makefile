# hpa: `make demo` and `make test` do all set-up on a fresh machine (Python >= 3.12 needed, found on PATH or under pyenv).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# First Python >= 3.12 that actually runs: on PATH, then pyenv's versions (the pyenv shim fails unless selected).
PYTHON ?= $(shell for c in python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$c; break; fi; done)

.PHONY: all demo test bench fuzz quality clean venv node debian-deps

all: test

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "hpa needs Python >= 3.12: install python3.12 (or 'pyenv install 3.12') and retry" >&2; exit 2; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# frida-java-bridge for compiling the unpinning agent (npm; declared in package.json)
node_modules/.installed: package.json
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent && touch $@; \
	 else echo "npm not found: the frida agent will not be compiled (apt-get install npm)" >&2; fi

node: node_modules/.installed

demo: $(STAMP) node
	$(VENV)/bin/hpa batch apps.csv -o captures/demo --jobs 2 --resume

# the Debian packages of .ci/debian-packages.txt: installed when run as root with apt-get, else the tests that need
# a missing one are skipped with a one-line reason (tests/conftest.py)
debian-deps:
	@tools/debian-deps

test: debian-deps $(STAMP) node
	$(PY) -m pytest

bench: $(STAMP) node
	$(PY) -m bench

fuzz: $(STAMP)
	$(PY) -m bench.fuzz

quality: $(STAMP)
	$(PY) -m bench.quality

clean:
	rm -rf $(VENV) node_modules .pytest_cache
