"""A service built for a contract fuzzer (Schemathesis): in-process, embedded bus and SQLite, nothing throttled.

The CI test (tests/security/test_schemathesis.py) and the long run (bench/fuzz_api.py) build it the same way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.schemas import BaseSchema

from shared.operations.installed import installed_service, service_names
from shared.settings import PlatformSettings
from shared.testing.harness import settings_for

SERVICES = service_names()  # the installed services (entry points): shared/ names none of them
# The fuzzer acts as an operator who may call every operation; the role checks themselves are proven elsewhere.
OPERATOR_ROLES = ("admin", "ops")


def fuzz_app(service: str, data_dir: Path) -> FastAPI:
    """The service's app, not started: the fuzzer's ASGI client runs its lifespan (migrations, relay, consumer)."""
    # Rate limiting off: the fuzzer sends far more than a client may, and a 429 would hide the answer under test.
    platform = PlatformSettings(bus="embedded", data_dir=data_dir, environment="test", json_logs=False,
                                rate_limit_per_minute=0)
    settings = settings_for(service, database_url=f"sqlite+aiosqlite:///{data_dir / service}.db", platform=platform)
    app: FastAPI = installed_service(service).create_app(settings)
    return app


# Schema-valid input the API may still refuse: rules JSON Schema cannot state (a currency that does not exist, a
# range whose end is before its start, a cursor this API did not issue, a reference to a missing pipeline). The
# OpenAPI documents 400 and 422 problems for them; 5xx, 405, 413 and the rest still fail the check.
_VALID_BUT_REFUSED = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]


def fuzz_config(*, max_examples: int, seed: int = 13, **extra: Any) -> dict[str, Any]:
    """Schemathesis settings: every check, positive and negative data, a fixed seed so a run can be replayed."""
    # No cache: a run replays nothing from an earlier one and writes nothing into the checkout.
    return {"seed": seed, "generation": {"max-examples": max_examples, "mode": "all"}, "cache": {"enabled": False},
            "checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": _VALID_BUT_REFUSED}},
            **extra}


def fuzz_schema(service: str, data_dir: Path, config: dict[str, Any]) -> BaseSchema:
    """The service's OpenAPI as Schemathesis reads it, bound to the app so each case is sent in-process."""
    app = fuzz_app(service, data_dir)
    schema = schemathesis.openapi.from_dict(app.openapi(), config=schemathesis.Config.from_dict(config))
    schema.app = app
    return schema
