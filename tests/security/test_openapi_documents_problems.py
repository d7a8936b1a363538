"""Each service's OpenAPI documents what it really answers: the problem+json errors on every operation, bearer
auth and the roles admitted where a token is needed, the Idempotency-Key, If-Match and If-None-Match headers,
/metrics as text, both successes of a lead capture. Found by Schemathesis
(tests/security/test_schemathesis.py); pinned here so a regression names itself."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.http.auth import ROLES
from shared.http.idempotency import WRITES
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


@pytest.mark.parametrize("service", SERVICES)
def test_every_secured_operation_names_its_roles_and_takes_an_idempotency_key_when_it_writes(
        service: str, tmp_path: Path) -> None:
    schema = _openapi(service, tmp_path)
    for path, method, op in _operations(schema):
        if "security" not in op:
            assert "x-roles" not in op, (path, method)
            continue
        roles = op["x-roles"]
        assert roles and roles == sorted(roles) and set(roles) <= ROLES, (path, method, roles)
        assert f"Roles: {', '.join(roles)}" in op["description"], (path, method)
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == (method.upper() in WRITES), (path, method)


def test_roles_are_those_of_the_route_dependency(tmp_path: Path) -> None:
    paths = _openapi("pipeline", tmp_path)["paths"]
    assert paths["/v1/pipelines/{pipeline_id}"]["put"]["x-roles"] == ["admin", "ops"]  # Organiser
    assert paths["/v1/deals"]["get"]["x-roles"] == ["admin", "integration", "manager", "ops", "rep"]  # Reader
    territory = _openapi("territory", tmp_path / "t")["paths"]
    assert territory["/v1/simulations"]["post"]["x-roles"] == ["admin", "manager", "ops"]  # Planner


def test_versioned_writes_declare_if_match_and_reads_if_none_match(tmp_path: Path) -> None:
    paths = _openapi("pipeline", tmp_path)["paths"]

    def headers(path: str, method: str) -> set[str]:
        return {p["name"] for p in paths[path][method].get("parameters", []) if p["in"] == "header"}

    for path, method in [("/v1/deals/{deal_id}", "patch"), ("/v1/deals/{deal_id}/stage", "post"),
                         ("/v1/deals/{deal_id}/close", "post"), ("/v1/deals/{deal_id}/reopen", "post"),
                         ("/v1/pipelines/{pipeline_id}", "put")]:
        assert "If-Match" in headers(path, method), (path, method)
        assert "412" in paths[path][method]["responses"]
    assert "If-None-Match" in headers("/v1/deals/{deal_id}", "get")
    assert "If-None-Match" in headers("/v1/pipelines/{pipeline_id}", "get")
