# Two commands set everything up on a fresh machine with Python 3.11+:
#   make serve   build the site and serve it at http://127.0.0.1:8000
#   make test    run every test: unit tests, every chapter, a strict build
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export NO_MKDOCS_2_WARNING := 1

.PHONY: serve site test test-fast lint bench clean

# The environment is rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

site: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# Prints every figure and writes it to build/bench/. The runs the Performance
# page shows are kept in benchmarks/results/ (copy new runs there to update).
bench: $(STAMP)
	mkdir -p build/bench
	$(BIN)/python benchmarks/bench_engine.py --json build/bench/engine.json
	$(BIN)/python benchmarks/bench_build.py --json build/bench/build.json
	$(BIN)/python benchmarks/bench_browser.py --json build/bench/browser.json

clean:
	rm -rf site build .pytest_cache
