"""/healthz (alive), /readyz (database and broker reachable), /metrics (Prometheus text)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.runtime.spec.name}


@router.get("/readyz", responses={503: {"description": "The database or the bus is unreachable"}})
async def readyz(request: Request) -> JSONResponse:
    checks = await request.app.state.runtime.readiness()
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


# Declared as text, what it is, so the OpenAPI does not promise JSON.
@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(request: Request) -> Response:
    runtime = request.app.state.runtime
    return Response(runtime.metrics.render(), media_type="text/plain; version=0.0.4")
