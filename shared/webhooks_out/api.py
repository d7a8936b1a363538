"""/v1/webhook-subscriptions on every service: subscribe to the events this service writes, read the delivery
log, redeliver. Operators and integrations manage them (admin, ops, integration)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.errors import FieldError
from shared.events.registry import REGISTRY
from shared.http.auth import Principal, require_roles
from shared.http.pagination import (
    MAX_SIGNED_64,
    Cursor,
    Limit,
    Page,
    after_id,
    after_number,
    encode_cursor,
)
from shared.http.problems import Problem
from shared.webhooks_out import store
from shared.webhooks_out.signing import SECRET_PATTERN, new_secret, secret_key

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/webhook-subscriptions", tags=["webhooks"])
Manager = Annotated[Principal, Depends(require_roles("admin", "ops", "integration"))]
SubscriptionId = Annotated[str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$",
                                     description="the subscription's id")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_SIGNED_64, description="the delivery's id")]
DeliveryStatus = Literal["pending", "delivered", "failed"]

Url = Annotated[str, StringConstraints(strict=True, min_length=10, max_length=2000, pattern=r"^https?://[!-~]+$")]
EventType = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]
Secret = Annotated[str, StringConstraints(strict=True, pattern=SECRET_PATTERN)]
Description = Annotated[str, StringConstraints(strict=True, max_length=500)]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    url: Url = Field(description="where deliveries are POSTed (http or https)")
    event_types: list[EventType] = Field(min_length=1, max_length=50,
                                         description="CloudEvent types this service produces")
    secret: Secret | None = Field(default=None, description="`whsec_` + base64 of 24-64 bytes; generated if left out")
    description: Description | None = None


class SubscriptionPatch(BaseModel):
    """Fields to change; `enabled: true` re-enables a disabled subscription and forgets its failures."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: Url | None = None
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=50)
    secret: Secret | None = None
    description: Description | None = None
    enabled: bool | None = None


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    consecutive_failures: int
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: store.AnyRow) -> SubscriptionOut:
        return cls.model_validate({name: getattr(row, name) for name in cls.model_fields})


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str | None = Field(description="the generated signing secret, shown this once; null when you gave one")


class DeliveryOut(BaseModel):
    id: int
    subscription_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    retry_until: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="the receiver's HTTP status; null when none came back")
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: store.AnyRow) -> DeliveryOut:
        return cls.model_validate({name: getattr(row, name) for name in cls.model_fields})


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated["ServiceRuntime", Depends(_runtime)]


def _checked(runtime: ServiceRuntime, url: str | None, event_types: list[str] | None) -> None:
    if url is not None:
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL as exc:
            raise Problem(422, f"url: {exc}", [FieldError("url", str(exc))]) from None
        if not host:
            raise Problem(422, "url has no host", [FieldError("url", "give a URL with a host")])
    if event_types is not None:
        produced = {t for t, spec in REGISTRY.items() if spec.producer == runtime.spec.name}
        unknown = sorted(set(event_types) - produced)
        if unknown:
            raise Problem(422, f"{runtime.spec.name} does not produce {', '.join(unknown)}",
                          [FieldError("event_types", f"one of: {', '.join(sorted(produced))}")])


def _key_of(secret: str) -> None:
    try:
        secret_key(secret)
    except ValueError as exc:
        raise Problem(422, f"secret: {exc}", [FieldError("secret", str(exc))]) from None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreatedOut)
async def subscribe(body: SubscriptionIn, runtime: Runtime, who: Manager) -> SubscriptionCreatedOut:
    """Deliveries of the listed event types to `url`, signed with the secret (Standard Webhooks)."""
    _checked(runtime, body.url, body.event_types)
    if body.secret is not None:
        _key_of(body.secret)
    secret = body.secret or new_secret()
    now = runtime.clock.now()
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()), "url": body.url, "event_types": sorted(set(body.event_types)), "secret": secret,
        "description": body.description, "enabled": True, "consecutive_failures": 0, "created_by": who.sub,
        "created_at": now, "updated_at": now}
    async with runtime.sessions() as session, session.begin():
        await store.add_subscription(session, values)
        row = await store.get_subscription(session, values["id"])
    shown = None if body.secret else secret
    return SubscriptionCreatedOut(**SubscriptionOut.of(row).model_dump(), secret=shown)


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(runtime: Runtime, _: Manager, limit: Limit = 50,
                             cursor: Cursor = None) -> Page[SubscriptionOut]:
    async with runtime.sessions() as session:
        rows = await store.list_subscriptions(session, after=after_id(cursor), limit=limit)
    more = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return Page(items=[SubscriptionOut.of(r) for r in rows], next_cursor=more)


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def read_subscription(subscription_id: SubscriptionId, runtime: Runtime, _: Manager) -> SubscriptionOut:
    async with runtime.sessions() as session:
        return SubscriptionOut.of(await store.get_subscription(session, subscription_id))


@router.patch("/{subscription_id}", response_model=SubscriptionOut)
async def change_subscription(subscription_id: SubscriptionId, body: SubscriptionPatch, runtime: Runtime,
                              who: Manager) -> SubscriptionOut:
    _checked(runtime, body.url, body.event_types)
    if body.secret is not None:
        _key_of(body.secret)
    now = runtime.clock.now()
    values: dict[str, Any] = body.model_dump(exclude_none=True, exclude={"enabled"})
    if "event_types" in values:
        values["event_types"] = sorted(set(values["event_types"]))
    async with runtime.sessions() as session, session.begin():
        current = await store.get_subscription(session, subscription_id)
        if body.enabled is True and not current.enabled:
            values |= {"enabled": True, "disabled_reason": None, "disabled_at": None, "consecutive_failures": 0,
                       "failing_since": None}
        elif body.enabled is False and current.enabled:
            values |= {"enabled": False, "disabled_reason": f"disabled by {who.sub}", "disabled_at": now}
        await store.change_subscription(session, subscription_id, {**values, "updated_at": now})
        row = await store.get_subscription(session, subscription_id)
    if row.enabled:
        runtime.webhooks.wake()  # pending deliveries of a re-enabled subscription go now
    return SubscriptionOut.of(row)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def unsubscribe(subscription_id: SubscriptionId, runtime: Runtime, _: Manager) -> Response:
    """The subscription and its delivery log; nothing more is sent to it."""
    async with runtime.sessions() as session, session.begin():
        await store.remove_subscription(session, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(subscription_id: SubscriptionId, runtime: Runtime, _: Manager, limit: Limit = 50,
                          cursor: Cursor = None, status: DeliveryStatus | None = None) -> Page[DeliveryOut]:
    """Newest first: each event sent (or to send) to this subscription, its attempts and last answer."""
    async with runtime.sessions() as session:
        await store.get_subscription(session, subscription_id)
        rows = await store.list_deliveries(session, subscription_id, before=after_number(cursor), status=status,
                                           limit=limit)
    more = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return Page(items=[DeliveryOut.of(r) for r in rows], next_cursor=more)


@router.post("/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=status.HTTP_202_ACCEPTED,
             response_model=DeliveryOut)
async def redeliver(subscription_id: SubscriptionId, delivery_id: DeliveryId, runtime: Runtime,
                    _: Manager) -> DeliveryOut:
    """Send this event again now (same webhook-id), retried as a new delivery if it fails."""
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        subscription = await store.get_subscription(session, subscription_id)
        if not subscription.enabled:
            raise Problem(409, "the subscription is disabled; enable it first (PATCH enabled: true)")
        await store.get_delivery(session, subscription_id, delivery_id)
        await store.schedule_again(session, delivery_id, now=now,
                                   retry_until=now + runtime.webhooks.policy.retry_window)
        row = await store.get_delivery(session, subscription_id, delivery_id)
    runtime.webhooks.wake()
    return DeliveryOut.of(row)
