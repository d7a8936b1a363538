#!/usr/bin/env bash
# The whole test suite against real Kafka and PostgreSQL: start both, run pytest, stop both (pass or fail).
set -euo pipefail
cd "$(dirname "$0")/.."

cleanup() {
  bash deploy/kafka/stop.sh >/dev/null 2>&1 || true
  COXSWAIN_INFRA_DIR=.infra/outage bash deploy/kafka/stop.sh >/dev/null 2>&1 || true
  # the fault suite's private broker and cluster, should pytest die before its own teardown
  COXSWAIN_INFRA_DIR=.infra/faults bash deploy/kafka/stop.sh >/dev/null 2>&1 || true
  COXSWAIN_INFRA_DIR=.infra/faults bash deploy/postgres/stop.sh >/dev/null 2>&1 || true
  bash deploy/postgres/stop.sh >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash deploy/postgres/start.sh >/dev/null
bash deploy/kafka/start.sh >/dev/null
export COXSWAIN_TEST_KAFKA="127.0.0.1:${COXSWAIN_KAFKA_PORT:-9092}"
export COXSWAIN_TEST_PG_DSN="postgresql://coxswain:coxswain@127.0.0.1:${COXSWAIN_PG_PORT:-55432}/coxswain_test"

.venv/bin/ruff check shared services tests bench
.venv/bin/mypy --strict shared services
.venv/bin/pytest -q -p no:cacheprovider "$@"
