"""A request that meets the infrastructure's failure (the database recovering, a lock or statement timeout) is
answered 503 with Retry-After — the client may retry — not a 500; a bug stays a 500."""
from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from shared.http.problems import install_problem_handlers
from tests.unit.test_dispatcher import INFRASTRUCTURE


def _app(error: BaseException) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/quota")
    async def quota() -> None:
        raise error

    return app


@pytest.mark.parametrize("cause", ["55P03 lock timeout", "57P03 in recovery", "40P01 deadlock"])
async def test_an_infrastructure_failure_is_a_503_to_retry(cause: str) -> None:
    transport = httpx.ASGITransport(app=_app(INFRASTRUCTURE[cause]), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/quota")
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "1")
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_bug_is_still_a_500() -> None:
    transport = httpx.ASGITransport(app=_app(ZeroDivisionError("oops")), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/quota")
    assert answer.status_code == 500
