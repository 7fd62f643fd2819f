# Kefu: `make run` to try it, `make test` to check it. Needs only Python >= 3.11, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
SERVICE_MODULES := $(filter-out kefu.core.services,$(subst /,.,$(patsubst src/%.py,%,$(wildcard src/kefu/*/services.py))))
SERVICE_PACKAGES := $(subst /,.,$(patsubst src/%/__init__.py,%,$(wildcard src/kefu/*/services/__init__.py)))

.PHONY: install run demo test test-fast lint typecheck format bench clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

messages: install
	$(BIN)/python manage.py compile_translations

demo: install messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed-demo
	$(BIN)/python manage.py seed-demo-cases
	$(BIN)/python manage.py seed-demo-operations
	$(BIN)/python manage.py seed-demo-visits
	$(BIN)/python manage.py seed-demo-surveys
	$(BIN)/python manage.py seed-demo-standards
	$(BIN)/python manage.py seed-demo-audits
	$(BIN)/python manage.py seed-demo-improvement

## Set everything up, load the demo company, start the web server and the worker (Ctrl-C stops both).
run: demo
	@echo ""
	@echo "Kefu is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@$(BIN)/python manage.py seed-demo --logins
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py worker & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

## The whole suite: unit, integration and browser tests.
test: install messages
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install messages
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory typecheck

## mypy, strict on the shared kernel and every services module.
typecheck: install
	$(BIN)/mypy -p kefu.core $(addprefix -m ,$(SERVICE_MODULES)) $(addprefix -p ,$(SERVICE_PACKAGES))

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## The benchmark suite (bench/README.md). Default: 10k cases on SQLite, Kefu alone. Side by side with
## django-helpdesk on PostgreSQL: make bench BENCH_ARGS="--scale 100k --peer --database-url postgres://..."
BENCH_ARGS ?= --scale 10k
bench: install messages
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf var/ .pytest_cache .ruff_cache .hypothesis
