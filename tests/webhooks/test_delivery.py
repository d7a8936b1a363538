"""Deliveries to a real HTTP receiver that verifies them with the `standardwebhooks` library, on both buses
(embedded + SQLite, Kafka + PostgreSQL): signed, retried with backoff, once per subscription and event,
redelivered by hand, and a subscription that keeps failing is disabled."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.events.catalog import LeadAssigned, LeadCreated
from shared.testing import eventually
from shared.testing.harness import RunningService
from shared.webhooks_out.delivery import WebhookDelivery
from shared.webhooks_out.policy import WebhookPolicy
from shared.webhooks_out.tables import webhook_deliveries
from tests.webhooks.conftest import (
    LEAD_CREATED,
    OPS,
    T0,
    capture_lead,
    deliveries,
    subscribe,
    the_delivery_once,
)
from tests.webhooks.receiver import Receiver


def at(delta: timedelta) -> str:
    return (T0 + delta).isoformat().replace("+00:00", "Z")


def same_time(given: str | None, expected: str) -> bool:
    return given is not None and given.replace("+00:00", "Z") == expected


async def test_a_delivery_arrives_signed_and_a_redelivery_sends_it_again(leads: RunningService,
                                                                         receiver: Receiver) -> None:
    subscription = await subscribe(leads, receiver)
    assert subscription["secret"].startswith("whsec_")  # generated, shown this once
    await capture_lead(leads, "ada@example.com")

    delivery = await the_delivery_once(leads, subscription["id"], attempts=1)
    assert delivery["status"] == "delivered" and delivery["last_status_code"] == 204
    (receipt,) = receiver.received
    assert receipt.event["type"] == LEAD_CREATED and receipt.event["data"]["email"] == "ada@example.com"
    assert receipt.webhook_id == receipt.event["id"] == delivery["event_id"]
    assert receiver.refused_signatures == 0

    response = await leads.client.post(
        f"/v1/webhook-subscriptions/{subscription['id']}/deliveries/{delivery['id']}/redeliver", headers=OPS)
    assert response.status_code == 202, response.text
    await the_delivery_once(leads, subscription["id"], attempts=2)
    # The same message again: same webhook-id, so a partner that deduplicates by it sees it once.
    assert receiver.ids() == [receipt.webhook_id, receipt.webhook_id]


async def test_a_receiver_that_fails_first_gets_the_event_once_after_backoff(
        leads: RunningService, receiver: Receiver, clock: FixedClock) -> None:
    subscription = await subscribe(leads, receiver)
    receiver.fail_next = 2
    await capture_lead(leads, "grace@example.com")

    first = await the_delivery_once(leads, subscription["id"], attempts=1)
    # Failed at T0: retried 30 s later (the first retry), then 60 s after that (doubled).
    assert first["status"] == "pending" and first["last_status_code"] == 503
    assert same_time(first["next_attempt_at"], at(timedelta(seconds=30))), first
    clock.advance(seconds=30)
    second = await the_delivery_once(leads, subscription["id"], attempts=2)
    assert same_time(second["next_attempt_at"], at(timedelta(seconds=90))), second
    clock.advance(seconds=60)
    third = await the_delivery_once(leads, subscription["id"], attempts=3)

    assert third["status"] == "delivered" and third["last_status_code"] == 204
    assert receiver.requests == 3 and len(receiver.received) == 1
    async with httpx.AsyncClient() as client:  # nothing left to send, however late it gets
        clock.advance(hours=30)
        assert await leads.runtime.webhooks.deliver_due(client) == 0
    assert len(receiver.received) == 1
    # The log keeps it 30 days from when the event was written (T0): kept at T0+29 d 23 h, pruned at T0+30 d 1 h.
    clock.advance(days=28, hours=17)  # T0 + 90 s + 30 h + 28 d 17 h ≈ T0 + 29 d 23 h
    assert await leads.runtime.webhooks.prune_log() == 0
    clock.advance(hours=2)
    assert await leads.runtime.webhooks.prune_log() == 1
    assert await deliveries(leads, subscription["id"]) == []


async def test_a_subscription_failing_persistently_is_disabled_and_can_be_enabled_again(
        leads: RunningService, receiver: Receiver, clock: FixedClock) -> None:
    leads.runtime.webhooks.policy = WebhookPolicy(poll_seconds=0.05, disable_after_consecutive_failures=3)
    subscription = await subscribe(leads, receiver)
    receiver.always_fail = True
    await capture_lead(leads, "hopper@example.com")
    await the_delivery_once(leads, subscription["id"], attempts=1)
    clock.advance(seconds=30)
    await the_delivery_once(leads, subscription["id"], attempts=2)
    clock.advance(seconds=60)
    pending = await the_delivery_once(leads, subscription["id"], attempts=3)

    url = f"/v1/webhook-subscriptions/{subscription['id']}"
    disabled = (await leads.client.get(url, headers=OPS)).json()
    assert disabled["enabled"] is False and disabled["consecutive_failures"] == 3
    assert "3 failed attempts" in disabled["disabled_reason"]
    assert pending["status"] == "pending"  # kept, not sent while the subscription is disabled
    async with httpx.AsyncClient() as client:
        clock.advance(hours=1)
        assert await leads.runtime.webhooks.deliver_due(client) == 0
    assert receiver.requests == 3
    await capture_lead(leads, "lovelace@example.com")  # written while disabled: not queued for it
    assert len(await deliveries(leads, subscription["id"])) == 1
    refused = await leads.client.post(f"{url}/deliveries/{pending['id']}/redeliver", headers=OPS)
    assert refused.status_code == 409

    receiver.always_fail = False
    enabled = await leads.client.patch(url, headers=OPS, json={"enabled": True})
    assert enabled.status_code == 200 and enabled.json()["consecutive_failures"] == 0
    delivered = await eventually(lambda: deliveries(leads, subscription["id"]),
                                 until=lambda ds: ds[0]["status"] == "delivered", timeout=30)
    assert delivered[0]["attempts"] == 4 and len(receiver.received) == 1


async def test_a_delivery_is_given_up_after_its_retry_window(leads: RunningService, receiver: Receiver,
                                                              clock: FixedClock) -> None:
    leads.runtime.webhooks.policy = WebhookPolicy(poll_seconds=0.05, retry_window_hours=72 / 3600)
    subscription = await subscribe(leads, receiver)
    receiver.always_fail = True
    await capture_lead(leads, "turing@example.com")
    await the_delivery_once(leads, subscription["id"], attempts=1)
    clock.advance(seconds=30)
    # The second failure (T0+30 s) would retry at T0+90 s, past the window's end at T0+72 s: given up.
    last = await the_delivery_once(leads, subscription["id"], attempts=2)
    assert last["status"] == "failed" and last["next_attempt_at"] is None


async def test_two_workers_never_send_one_delivery_twice(leads: RunningService, receiver: Receiver) -> None:
    """A second replica's worker on the same database (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""
    subscription = await subscribe(leads, receiver)
    other = WebhookDelivery(leads.runtime.sessions, clock=leads.runtime.clock,
                            policy=WebhookPolicy(poll_seconds=0.01))
    replica = asyncio.create_task(other.run())
    try:
        for n in range(12):
            await capture_lead(leads, f"rep{n}@example.com")
        sent = await eventually(lambda: deliveries(leads, subscription["id"]),
                                until=lambda ds: len(ds) == 12 and all(d["status"] == "delivered" for d in ds),
                                timeout=60)
    finally:
        replica.cancel()
        await asyncio.gather(replica, return_exceptions=True)
    assert sorted(receiver.ids()) == sorted(d["event_id"] for d in sent)  # 12 events, each received once
    assert all(d["attempts"] == 1 for d in sent)


async def test_deliveries_are_written_with_their_event_or_not_at_all(leads: RunningService,
                                                                     receiver: Receiver) -> None:
    """The unit of work writes an event's deliveries in the outbox row's transaction: a rollback leaves none."""
    subscription = await subscribe(leads, receiver)
    created = LeadCreated(lead_id="L-1", email="x@example.com", created_at=T0)
    async with leads.runtime.uow() as uow:
        await uow.emit(LEAD_CREATED, subject="L-1", data=created)
        await uow.emit("coxswain.lead.assigned.v1", subject="L-1",  # a type the subscription did not ask for
                       data=LeadAssigned(lead_id="L-1", rep_id="R-1", assigned_at=T0, reason="test"))
        await uow.flush_outbox()
        queued = (await uow.session.execute(select(func.count()).select_from(webhook_deliveries))).scalar_one()
        assert queued == 1
        await uow.rollback()
    assert await deliveries(leads, subscription["id"]) == []
    async with leads.runtime.uow() as uow:
        await uow.emit(LEAD_CREATED, subject="L-2", data=created)
        await uow.commit()
    (delivery,) = await deliveries(leads, subscription["id"])
    assert delivery["event_type"] == LEAD_CREATED
