"""Where a consumer group stands on each topic partition, and how many records wait for it, on either bus.

Read independently of the consumer runner (as `kafka-consumer-groups` would), so a runner that hangs
before joining its group is still seen falling behind.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import and_, func, select

from shared.messaging.embedded import EmbeddedBus, bus_positions, bus_records
from shared.observability.progress import Offsets

log = logging.getLogger("coxswain.health")


class EmbeddedOffsets:
    """The embedded bus has one partition per topic; offsets are global, so "waiting" is a count of records."""

    def __init__(self, bus: EmbeddedBus, group: str, topics: Sequence[str]) -> None:
        self._bus, self._group, self._topics = bus, group, list(topics)

    async def __call__(self) -> Offsets:
        engine = await self._bus.engine()
        position = func.coalesce(bus_positions.c.offset, 0)
        stmt = (
            select(bus_records.c.topic, func.max(position), func.count(bus_records.c.offset))
            .select_from(bus_records.outerjoin(bus_positions, and_(
                bus_positions.c.group == self._group, bus_positions.c.topic == bus_records.c.topic)))
            .where(bus_records.c.topic.in_(self._topics), bus_records.c.offset > position)
            .group_by(bus_records.c.topic)
        )
        async with engine.connect() as conn:
            waiting = {topic: (int(pos), int(count)) for topic, pos, count in (await conn.execute(stmt)).all()}
            done = dict((await conn.execute(select(bus_positions.c.topic, bus_positions.c.offset).where(
                bus_positions.c.group == self._group, bus_positions.c.topic.in_(self._topics)))).all())
        return {(t, 0): waiting.get(t, (int(done.get(t, 0)), 0)) for t in self._topics}


class KafkaOffsets:
    """Committed offsets of the group against the partitions' end offsets, for the partitions this member
    holds; when it holds none and the group has no member at all, for every partition (nobody consumes)."""

    def __init__(self, bootstrap: str, group: str, topics: Sequence[str],
                 assignment: Callable[[], set[TopicPartition]], *, timeout: float = 5.0) -> None:
        self._bootstrap, self._group, self._topics = bootstrap, group, list(topics)
        self._assignment, self._timeout = assignment, timeout
        self._admin: AIOKafkaAdminClient | None = None
        self._probe: AIOKafkaConsumer | None = None

    async def __call__(self) -> Offsets | None:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._read()
        except Exception as exc:  # broker away: lag unknown, which is not a stall
            log.info("cannot read the offsets of %s now: %r", self._group, exc)
            await self.close()
            return None

    async def _read(self) -> Offsets:
        admin, probe = await self._clients()
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in await admin.describe_topics(self._topics)
                      for p in t["partitions"]]
        mine = self._assignment() & set(partitions)
        if not mine and await self._has_members(admin):
            return {}  # an idle member of a group larger than its partition count: nothing waits for it
        watched = sorted(mine or partitions)
        ends = await probe.end_offsets(watched)
        starts = await probe.beginning_offsets(watched)
        committed = await admin.list_consumer_group_offsets(self._group, partitions=watched)
        offsets: Offsets = {}
        for tp in watched:
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
            offsets[(tp.topic, tp.partition)] = (position, max(0, ends[tp] - position))
        return offsets

    async def _has_members(self, admin: AIOKafkaAdminClient) -> bool:
        (response,) = await admin.describe_consumer_groups([self._group])
        # Each group is (error code, id, state, protocol type, protocol, members, ...).
        return any(len(group[5]) > 0 for group in response.groups)

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._probe is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=5000)
            probe = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None, enable_auto_commit=False,
                                     request_timeout_ms=5000, client_id=f"coxswain-health-{self._group}")
            self._admin, self._probe = admin, probe
            await admin.start()
            await probe.start()
        return self._admin, self._probe

    async def close(self) -> None:
        admin, probe, self._admin, self._probe = self._admin, self._probe, None, None
        for client in (probe, admin):
            if client is not None:
                try:
                    await (client.stop() if isinstance(client, AIOKafkaConsumer) else client.close())
                except Exception as exc:
                    log.debug("closing a health client failed: %r", exc)
