"""Each service's OpenAPI documents what it really answers: the problem+json errors on every operation, bearer
auth where a token is needed, /metrics as text, both successes of a lead capture. Found by Schemathesis
(tests/security/test_schemathesis.py); pinned here so a regression names itself."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.http.openapi import PROBLEM_STATUSES
from shared.http.problems import PROBLEM_JSON
from shared.testing.fuzzing import SERVICES, fuzz_app

pytestmark = pytest.mark.unit


def _openapi(service: str, tmp_path: Path) -> dict:
    return fuzz_app(service, tmp_path).openapi()  # built without starting the service


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, methods in schema["paths"].items() for method, op in methods.items()]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_lists_the_problems_it_may_answer(service: str, tmp_path: Path) -> None:
    schema = _openapi(service, tmp_path)
    problem = schema["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    for status in PROBLEM_STATUSES:
        content = schema["components"]["responses"][f"Problem{status}"]["content"]
        assert list(content) == [PROBLEM_JSON]
    for path, method, op in _operations(schema):
        for status in (400, 401, 403, 404, 409, 412, 413, 422, 429):
            assert op["responses"][str(status)] == {"$ref": f"#/components/responses/Problem{status}"}, (path, method)
    # FastAPI's own JSON 422 shape is never sent, so it is not documented either.
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.mark.parametrize("service", SERVICES)
def test_operations_needing_a_token_declare_bearer_auth(service: str, tmp_path: Path) -> None:
    schema = _openapi(service, tmp_path)
    assert schema["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                                 "bearerFormat": "JWT"}
    unsecured = {(path, method) for path, method, op in _operations(schema) if "security" not in op}
    # Only the probes, the public event contract and the HMAC-signed webhooks take no bearer token.
    assert {path for path, _ in unsecured} <= {"/healthz", "/livez", "/readyz", "/metrics", "/asyncapi.json",
                                               "/v1/webhooks/crm"}
    assert ("/v1/webhooks/crm", "post") not in {(p, m) for p, m, op in _operations(schema) if "security" in op}


def test_metrics_are_documented_as_text(tmp_path: Path) -> None:
    responses = _openapi("leads", tmp_path)["paths"]["/metrics"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["text/plain"]


def test_a_lead_capture_documents_both_successes(tmp_path: Path) -> None:
    responses = _openapi("leads", tmp_path)["paths"]["/v1/leads"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)  # 201 new lead, 200 merged into a known one
    assert importlib.import_module("services.leads.api.schemas").CapturedOut.__name__ in str(responses["200"])
