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
from schemathesis.checks import CHECKS, load_all_checks
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


# Defects this test finds that another branch of issue 13 fixes. Only these checks, only where listed, are left
# out; the lead deletes each entry once the fix named is merged (each is reproduced in docs/security.md).
WT_HTTP_ALLOW = "OPTIONS and 405 list one method in Allow: wt/http fixes it in shared/http, for every path"
STRICT = "lax coercion (false, 0 or 0.5 taken for a bool, int or date): wt/inputs fixes it (strict types)"
KNOWN_OPEN_EVERYWHERE = {"allow_header_conformance": WT_HTTP_ALLOW}
KNOWN_OPEN: dict[tuple[str, str], dict[str, str]] = {
    ("leads", "GET /v1/leads"): {"negative_data_rejection": STRICT},
    ("pipeline", "GET /v1/deals"): {"negative_data_rejection": STRICT},
    ("pipeline", "POST /v1/pipelines"): {"negative_data_rejection": STRICT},
    ("pipeline", "PUT /v1/pipelines/{pipeline_id}"): {"negative_data_rejection": STRICT},
    ("territory", "POST /v1/simulations"): {"negative_data_rejection": STRICT},
    ("territory", "POST /v1/plans"): {"negative_data_rejection": STRICT},
    ("territory", "POST /v1/reps"): {"negative_data_rejection": STRICT},
    ("territory", "PUT /v1/reps/{rep_id}"): {"negative_data_rejection": STRICT},
    ("territory", "POST /v1/territories"): {"negative_data_rejection": STRICT},
    ("territory", "PUT /v1/territories/{territory_id}"): {"negative_data_rejection": STRICT},
}
# Operations whose 5xx escapes as an exception (no check can be left out of it): excluded whole until fixed.
INTEGER_IDS = "a path id beyond 64 bits reaches SQLite and overflows (500): wt/inputs fixes it"
PERIODS = "a period that matches the pattern but not the calendar (0000) gives 500: wt/inputs fixes it"
KNOWN_CRASHING = {
    ("compensation", "GET /v1/commissions/{line_id}/inquiries"): INTEGER_IDS,
    ("compensation", "POST /v1/commissions/{line_id}/inquiries"): INTEGER_IDS,
    ("forecast", "POST /v1/snapshots"): PERIODS,
}
for (_service, _label), _defect in KNOWN_CRASHING.items():
    _method, _path = _label.split(" ", 1)
    SCHEMAS[_service] = SCHEMAS[_service].exclude(method=_method, path=_path)


@schemathesis.pytest.parametrize(**SCHEMAS)
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: schemathesis.Case) -> None:
    service = case.operation.schema.raw_schema["info"]["title"].removeprefix("Coxswain ")
    known = KNOWN_OPEN_EVERYWHERE | KNOWN_OPEN.get((service, case.operation.label), {})
    case.call_and_validate(headers=OPERATOR, excluded_checks=CHECKS.get_by_names(list(known)))
