"""Operations endpoints (semantics in docs/operations.md):

- /livez: 503 when the relay or a consumer is stuck (work waits, nothing moves), so an orchestrator restarts
  the process; a broker or database outage alone never fails it.
- /readyz: 200 when this process can serve its API (its database answers); the broker's state is in the body
  but does not fail it, because writes still succeed into the outbox while the broker is away.
- /healthz: the process answers HTTP (kept for compatibility; use /livez for a liveness probe).
- /metrics: Prometheus text, backlog gauges refreshed at each scrape.
- /asyncapi.json: the event contract (AsyncAPI 3), generated from the event models and handler tables.
"""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from shared.events.asyncapi import served_document

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.runtime.spec.name}


@router.get("/livez", responses={503: {"description": "A relay or consumer is stuck: restart the process"}})
async def livez(request: Request) -> JSONResponse:
    alive, body = await request.app.state.health.liveness()
    return JSONResponse(body, status_code=200 if alive else 503)


@router.get("/readyz", responses={503: {"description": "The database is unreachable"}})
async def readyz(request: Request) -> JSONResponse:
    ready, body = await request.app.state.health.readiness()
    return JSONResponse(body, status_code=200 if ready else 503)


# Declared as text, what it is, so the OpenAPI does not promise JSON.
@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(request: Request) -> Response:
    await request.app.state.health.refresh_metrics()
    return Response(request.app.state.runtime.metrics.render(), media_type="text/plain; version=0.0.4")


@router.get("/asyncapi.json", summary="The AsyncAPI 3 document of every Coxswain event",
            responses={200: {"description": "AsyncAPI 3.0 (the same on every service; docs/asyncapi.json)",
                             "content": {"application/json": {"schema": {"type": "object"}}}}})
async def asyncapi() -> JSONResponse:
    return JSONResponse(served_document())
