# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv when it is missing and install gutbrain into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output

.PHONY: demo test test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench,web]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/gutbrain demo -o $(DEMO_DIR)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

# The web tests again on a throwaway PostgreSQL (loopback; needs the postgresql server package).
test-postgres: $(VENV)/.installed
	tools/pg_test_server.sh run -- $(BIN)/python -m pytest -q tests/web

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy --strict src/gutbrain

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_modules.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
