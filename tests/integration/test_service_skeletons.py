"""Every service starts the same way on both buses: migrations applied, health, readiness, metrics, OpenAPI,
and a consumer running on its topics."""
from __future__ import annotations

import pytest

from shared.events.registry import SERVICES
from shared.testing.backends import Backend
from shared.testing.harness import running_service


@pytest.mark.parametrize("service", SERVICES)
async def test_service_starts_and_answers_the_operations_endpoints(service: str, backend: Backend) -> None:
    url = await backend.database_url(service)
    async with running_service(service, database_url=url, platform=backend.platform,
                               embedded_bus=backend.embedded_bus) as running:
        assert (await running.client.get("/healthz")).json() == {"status": "ok", "service": service}
        ready = await running.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": True, "bus": True}
        assert "coxswain_service_info" in (await running.client.get("/metrics")).text
        spec = (await running.client.get("/openapi.json")).json()
        assert spec["info"]["title"] == f"Coxswain {service}"
        assert all(path.startswith(("/v1/", "/healthz", "/livez", "/readyz", "/metrics", "/asyncapi.json"))
                   for path in spec["paths"])
        assert running.runtime.group.endswith(service) and running.runtime.topics
