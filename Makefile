# JFO Registry: `make run` sets up everything and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install setup migrate messages bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The GC Design System, copied from node_modules with its fonts self-hosted.
static/vendor/gcds/.built: node_modules/.installed $(VENV)/.installed jfo_registry/management/commands/build_assets.py
	DEBUG=1 $(PY) manage.py build_assets
	touch $@

install: $(VENV)/.installed node_modules/.installed static/vendor/gcds/.built

messages: install
	DEBUG=1 $(PY) manage.py compilemessages --ignore ".venv" --ignore "node_modules" --verbosity 0

# Development set-up: database, inventory and one demo account per role.
setup: install messages
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_inventory
	DEBUG=1 $(PY) manage.py create_demo_users

run: setup
	@echo "Serving JFO Registry at http://$(HOST):$(PORT)/"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Linters first (ruff; import-linter keeps the layers pointing down), then the suite.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install messages lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks at national scale on PostgreSQL (never part of `make test`); see benchmarks/results.md.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/jfo_bench
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static node_modules static/vendor
