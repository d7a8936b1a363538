"""Ways to put a fault exactly where a scenario wants it.

- `Gate`: a trigger on one of a service's tables that makes the statement wait on an advisory lock the test
  holds, so a consumer or relay can be caught mid-transaction (after publishing, before marking; with a batch
  applied but not committed) and killed or frozen right there. It writes nothing the service reads.
- `NotAcceptingProxy`: a TCP proxy in front of PostgreSQL that can answer every new connection the way a
  recovering server does (SQLSTATE 57P03, "not yet accepting connections") for as long as the scenario wants.
- Topic helpers: read a topic from the start, append raw records, list dead-letter topics."""
from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.records import IncomingRecord
from shared.testing.backends import _drain

GATE_KEY = (31337, 1)  # the two-int advisory key space, apart from the services' bigint keys


class Gate:
    def __init__(self, dsn: str, table: str, *, on: str = "INSERT", at_commit: bool = False) -> None:
        """`at_commit`: the wait happens inside COMMIT (a deferred constraint trigger), so the client has
        sent its COMMIT and only waits for the answer; opening the gate makes the transaction durable."""
        self._dsn, self._table, self._on, self._at_commit = dsn, table, on, at_commit
        self._holder: asyncpg.Connection | None = None

    async def close(self) -> None:
        """From now on the statement waits until `open()`."""
        self._holder = await asyncpg.connect(self._dsn)
        await self._holder.execute("SELECT pg_advisory_lock($1, $2)", *GATE_KEY)
        await self._holder.execute(f"""
            CREATE OR REPLACE FUNCTION fault_gate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_advisory_lock_shared({GATE_KEY[0]}, {GATE_KEY[1]});
              PERFORM pg_advisory_unlock_shared({GATE_KEY[0]}, {GATE_KEY[1]});
              RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS fault_gate ON {self._table};
            {self._trigger()};""")

    def _trigger(self) -> str:
        if self._at_commit:
            return (f"CREATE CONSTRAINT TRIGGER fault_gate AFTER {self._on} ON {self._table} "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_gate()")
        return f"CREATE TRIGGER fault_gate BEFORE {self._on} ON {self._table} " \
               "FOR EACH STATEMENT EXECUTE FUNCTION fault_gate()"

    async def waiting(self) -> int:
        """Sessions stopped at the gate now."""
        conn = await asyncpg.connect(self._dsn)
        try:
            return int(await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2 "
                "AND classid = $1 AND objid = $2 "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", *GATE_KEY))
        finally:
            await conn.close()

    async def lock_waits(self) -> int:
        """Sessions of the database waiting for any lock: at the gate, or behind one that is."""
        conn = await asyncpg.connect(self._dsn)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM pg_stat_activity "
                                           "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
        finally:
            await conn.close()

    async def open(self) -> None:
        """Lets everything through. The trigger stays (dropping it would need a lock a frozen session may
        hold); without the lock held it only takes and gives back a shared lock."""
        if self._holder is not None:
            with contextlib.suppress(Exception):  # the server may have crashed meanwhile: the lock is gone
                await self._holder.close(timeout=5)
            self._holder = None


async def terminate_sessions(dsn: str) -> int:
    """Ends every other session on the database (what a killed process leaves behind until PostgreSQL
    notices its client is gone)."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        await conn.close()


class NotAcceptingProxy:
    """Forwards to PostgreSQL, or, while `refusing`, answers each new connection with FATAL 57P03."""

    def __init__(self, listen_port: int, upstream_port: int) -> None:
        self._listen, self._upstream = listen_port, upstream_port
        self.refusing = False
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._listen)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            if self.refusing:
                await self._refuse(reader, writer)
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._upstream)
            except OSError:
                return  # the server is down: the client sees its connection closed
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            return  # either side went away mid-stream: the connection just ends
        finally:
            self._pipes.discard(task)
            writer.close()

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # SSL and GSS encryption requests get "N", then comes the startup packet
            length = struct.unpack("!i", await reader.readexactly(4))[0]
            body = await reader.readexactly(length - 4)
            if struct.unpack("!i", body[:4])[0] in (80877103, 80877104):
                writer.write(b"N")
                await writer.drain()
                continue
            break
        fields = b"".join(code + text.encode() + b"\0" for code, text in (
            (b"S", "FATAL"), (b"V", "FATAL"), (b"C", "57P03"),
            (b"M", "the database system is not yet accepting connections"),
            (b"D", "Consistent recovery state has not been yet reached.")))
        writer.write(b"E" + struct.pack("!i", len(fields) + 5) + fields + b"\0")
        await writer.drain()
        self.refused += 1


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def read_topic(bootstrap: str, topic: str) -> list[IncomingRecord]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        from aiokafka import TopicPartition

        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        return await _drain(consumer, tps, await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


async def topic_size(bootstrap: str, topic: str) -> int:
    return len(await read_topic(bootstrap, topic))


async def append(bootstrap: str, topic: str, records: Sequence[tuple[str | None, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value=value, key=key.encode() if key else None)
    finally:
        await producer.stop()


async def dead_letter_topics(bootstrap: str, namespace: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if t.startswith(f"{namespace}.") and ".dlq." in t)
    finally:
        await admin.close()


async def dead_letters(bootstrap: str, namespace: str) -> dict[str, int]:
    """Records per dead-letter topic of the namespace (only topics that hold any)."""
    counts = {t: len(await read_topic(bootstrap, t)) for t in await dead_letter_topics(bootstrap, namespace)}
    return {t: n for t, n in counts.items() if n}


async def inbox_size(dsn: str) -> int:
    """Events the service's consumer has committed (its inbox): when to strike, never what to check."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM processed_events"))
    finally:
        await conn.close()
