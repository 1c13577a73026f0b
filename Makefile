# Two commands set everything up on a fresh machine with Python 3.11 to 3.13:
#   make serve   build the site and serve it at http://127.0.0.1:8000
#   make test    run every test: unit tests, every chapter, a strict build
PYTHON ?= python3
# One environment per checkout; CI makes one per Python (VENV=.venv-3.12 ...).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every version that goes into the environment comes from the lock (see
# CONTRIBUTING.md, "Dependencies"). `make lock` updates it after a change to
# pyproject.toml; `make lock-upgrade` moves everything to the newest releases.
LOCK := lock/requirements.txt
TORCH_LOCK := lock/torch.txt
UV_VERSION := 0.13.8
UV := build/uv-$(UV_VERSION)/bin/uv
# Where the CI machine keeps its PyTorch wheel (lock/torch.txt pins its hash).
TORCH_WHEELS ?= /opt/wheels
PY_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# pyenv installs several Pythons but runs only the one it selects: a
# `PYTHON=python3.13` it refuses is looked up among its versions.
ifeq ($(PY_VERSION),)
PYENV_PYTHON := $(lastword $(sort $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(PYTHON:python%=%).*/bin/$(PYTHON))))
ifneq ($(PYENV_PYTHON),)
override PYTHON := $(PYENV_PYTHON)
endif
endif
PY_VERSION := $(PY_VERSION)
# The Pythons the lock serves and .ci/run tests (pyproject.toml says so too).
SUPPORTED := 3.11 3.12 3.13
# The environment is made anew when the lock or the Python changes, so nothing
# outside the lock stays installed; a change to pyproject.toml alone only
# reinstalls the project.
LOCKED := $(VENV)/.locked-python$(PY_VERSION)

export NO_MKDOCS_2_WARNING := 1

.PHONY: serve site test test-fast lint bench bench-record clean lock lock-upgrade torch

$(LOCKED): $(LOCK)
	@test -n "$(PY_VERSION)" || { echo "error: '$(PYTHON)' does not run; pass PYTHON=python3.11 (or 3.12, 3.13), or its path" >&2; exit 1; }
	@case " $(SUPPORTED) " in *" $(PY_VERSION) "*) ;; *) echo "error: $(PYTHON) is Python $(PY_VERSION); the book supports $(SUPPORTED)" >&2; exit 1;; esac
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	touch $@

$(STAMP): $(LOCKED) pyproject.toml
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# PyTorch 2.13.0, for chapter 9 and the comparison tests (CI runs this). Only
# a CPython 3.11 build exists on the CI machine: elsewhere those tests skip.
torch: $(STAMP)
	@if [ "$(PY_VERSION)" = 3.11 ]; then \
	  $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(TORCH_LOCK); \
	else echo "PyTorch is locked for Python 3.11 only; chapter 9 and the torch tests will skip on $(PY_VERSION)"; fi

$(UV):
	$(PYTHON) -m venv build/uv-$(UV_VERSION)
	build/uv-$(UV_VERSION)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# One lock for every supported Python (universal resolution, one version of
# each package wherever possible), with the hash of every file. Existing pins
# are kept unless they no longer fit pyproject.toml.
LOCK_FLAGS = --universal --python-version 3.11 --fork-strategy fewest \
	--generate-hashes --custom-compile-command "make lock" --quiet
lock: $(UV)
	$(UV) pip compile pyproject.toml lock/build.in --extra test $(LOCK_FLAGS) $(LOCK_UPGRADE) -o $(LOCK)
	$(UV) pip compile lock/torch.in -c $(LOCK) --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --find-links $(TORCH_WHEELS) \
	  --generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_UPGRADE) -o $(TORCH_LOCK)

lock-upgrade: LOCK_UPGRADE = --upgrade
lock-upgrade: lock

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

site: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Under a minute: the library's and the tooling's own tests, and one
# chapter (every block, exercise and output of it). No site build, no browser.
FAST_CHAPTER ?= docs/chapters/05-backward-rules.md
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow and not browser" tests/unit tests/book $(FAST_CHAPTER)

lint: $(STAMP)
	$(BIN)/ruff check .

# Prints every figure and writes it to build/bench/. The runs the Performance
# page shows are kept in benchmarks/results/ (copy new runs there to update).
bench: $(STAMP)
	mkdir -p build/bench
	$(BIN)/python benchmarks/bench_engine.py --json build/bench/engine.json
	$(BIN)/python benchmarks/bench_readability.py --json build/bench/readability.json
	$(BIN)/python benchmarks/bench_build.py --json build/bench/build.json
	$(BIN)/python benchmarks/bench_browser.py --json build/bench/browser.json

# Keeps the runs in build/bench/ as the ones the Performance page shows,
# stamped with the commit and a hash of the code they measured (a test fails
# when that code changes and the page still quotes the old run).
bench-record: $(STAMP)
	$(BIN)/python benchmarks/record.py build/bench benchmarks/results

clean:
	rm -rf site build .pytest_cache
