"""Schemathesis against the OpenAPI of every service: no 5xx, every answer as documented, every check on.

Bounded for CI (a few derandomised examples per operation, so a failure replays); `make fuzz` runs the long
version (bench/fuzz_api.py). Each service runs in-process on the embedded bus and SQLite, called as an operator.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.python import asgi

from shared.testing import auth_headers
from shared.testing.fuzzing import OPERATOR_ROLES, SERVICES, fuzz_config, fuzz_schema

pytestmark = pytest.mark.embedded
OPERATOR = auth_headers(*OPERATOR_ROLES)
MAX_EXAMPLES = 5
# Each service keeps its SQLite files here. Building an app already creates its directory (the embedded bus), so
# it is removed at exit too, for a run that only collects.
DATA_DIR = Path(tempfile.gettempdir()) / f"coxswain-fuzz-{uuid.uuid4().hex[:8]}"
atexit.register(shutil.rmtree, DATA_DIR, True)
CONFIG = fuzz_config(max_examples=MAX_EXAMPLES)
load_all_checks()

# Loaded eagerly (the OpenAPI is built without starting anything): schemathesis' fixture-based loader does not
# run on pytest 9.2, which dropped the node attribute it rewrites.
SCHEMAS = {service: fuzz_schema(service, DATA_DIR / service, CONFIG) for service in SERVICES}


@pytest.fixture(scope="module", autouse=True)
def service_data() -> Iterator[None]:
    for service in SERVICES:
        (DATA_DIR / service).mkdir(parents=True, exist_ok=True)
    yield
    asgi.shutdown_lifespans()  # stops every started service: relay, consumer, database engine
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schemathesis.pytest.parametrize(**SCHEMAS)
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=OPERATOR)
