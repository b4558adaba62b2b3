# Every target runs the tools from .venv explicitly, so nothing needs activating.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test test-postgres lint format migrations-check ci bench-import bench-dashboards bench-load mutation

install: $(VENV)/.installed

# The stamp makes `make install` a no-op until pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

# The task worker (large imports run in the background) runs beside the server and stops with it.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest -n auto -q

# Takes DATABASE_NAME/USER/PASSWORD/HOST/PORT from the environment or the command line.
test-postgres: install
	DATABASE_ENGINE=postgresql $(BIN)/pytest -n auto -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates
	$(BIN)/lint-imports

# Fix first, then format (the order ruff's docs recommend); what cannot be fixed
# is printed here and fails `make lint`.
format: install
	$(BIN)/ruff check --fix --exit-zero .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

# Test settings use an in-memory SQLite database, so the check leaves no db.sqlite3 behind.
migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test

ci:
	bash .ci/run

# Import benchmark (issue 13's matrix: 180,000 / 360,000 / 720,000 rows x CSV/XLSX x preview/import x first
# import/every value changed, beside the raw floors) on SQLite, then on a private PostgreSQL cluster (port
# 55433, dropped afterwards). BENCH_ARGS passes options to both, e.g.
# make bench-import BENCH_ARGS="--sizes 180000 --formats CSV".
bench-import: install
	$(BIN)/python bench/import_bench.py $(BENCH_ARGS)
	bash bench/with-private-postgres.sh $(BIN)/python bench/import_bench.py $(BENCH_ARGS)

# Dashboard render times at national scale on SQLite; with DATABASE_ENGINE=postgresql and the
# DATABASE_* variables set, on PostgreSQL instead.
bench-dashboards: install
	$(BIN)/python bench/dashboard_bench.py

# Officers saving at once and scrutiny readers against gunicorn, first on the embedded SQLite database
# (a new file in /tmp), then on a private PostgreSQL 15 cluster (port 55434, cluster csp-load, dropped
# afterwards): throughput, latency, 5xx and lost updates.
# LOAD_ARGS passes options, e.g. make bench-load LOAD_ARGS="--clients 8 --saves 20".
bench-load: install
	DATABASE_ENGINE=sqlite $(BIN)/python bench/load_bench.py $(LOAD_ARGS)
	BENCH_PG_PORT=55434 BENCH_PG_CLUSTER=csp-load bash bench/with-private-postgres.sh \
		$(BIN)/python bench/load_bench.py $(LOAD_ARGS)

# Mutation testing (mutmut) over the permission layer, the review services and the importer's validation,
# one module at a time with the tests written for it (.ci/mutation; MODULES="services" for one); slow, so
# not part of `make test` or `.ci/run`. Prints each module's share of mutants killed and the survivors.
mutation: install
	$(BIN)/python .ci/mutation $(MODULES)
