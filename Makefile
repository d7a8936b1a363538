# Two commands do all the set-up on a fresh machine:
#   make up    run Coxswain on this machine (embedded bus, SQLite files)
#   make test  run the whole test suite against real Kafka and PostgreSQL (started and stopped here)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test install infra-up infra-down unit lint bench fuzz asyncapi schemas helm clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/coxswain up

infra-up:
	bash deploy/postgres/start.sh
	bash deploy/kafka/start.sh

infra-down:
	-bash deploy/kafka/stop.sh
	-bash deploy/postgres/stop.sh

# Kafka and PostgreSQL are started for the run and stopped after it, pass or fail. helm is built first (once per
# machine, outside any test's timeout) for tests/deploy/test_helm_chart.py.
test: $(STAMP) helm
	bash deploy/test.sh

# Tests that need no server and no outside tool (tests/conftest.py marks each test by what it uses); the
# infrastructure settings are unset so nothing can reach a broker or a database server by accident.
unit: $(STAMP)
	env -u COXSWAIN_TEST_KAFKA -u COXSWAIN_TEST_PG_DSN -u COXSWAIN_TEST_CONTAINERS $(BIN)/pytest -m unit -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check shared services tests bench
	$(BIN)/mypy --strict shared services

bench: $(STAMP) infra-up
	$(BIN)/python bench/spine.py

# The long contract fuzz (Schemathesis, >= 5,000 requests per service, in-process; no infrastructure needed).
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_api.py --min-requests 5000

asyncapi: $(STAMP)
	$(BIN)/coxswain asyncapi --out docs/asyncapi.json

schemas: $(STAMP)
	$(BIN)/python -m shared.events.schemas --write tests/contract/schemas

# helm, built once per machine from its Go module into ~/.cache/coxswain/tools (tests/deploy/test_helm_chart.py
# calls the same script); prints the binary's path.
helm:
	@bash deploy/helm/install-helm.sh

clean:
	rm -rf .data .pytest_cache
