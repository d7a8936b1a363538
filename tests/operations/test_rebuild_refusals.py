"""What a rebuild refuses: projections it cannot find, a switch under a running service, a switch that would
skip events the live consumer took after the replay ended. And what each service keeps."""
from __future__ import annotations

import dataclasses
import importlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from services.forecast.app import SPEC as FORECAST
from shared.cli import cli
from shared.clock import FixedClock
from shared.db.migrate import upgrade_to_head
from shared.events import catalog as ev
from shared.events.registry import SERVICES
from shared.messaging.records import OutgoingRecord
from shared.operations.rebuild import rebuild
from shared.operations.rebuild_log import LogEnd, consumed_beyond
from shared.operations.rebuild_place import SwitchRefused
from shared.operations.rebuild_tables import kept_tables, projection_tables
from shared.testing import build_event
from shared.testing.backends import EmbeddedBackend, KafkaBackend
from shared.testing.harness import settings_for
from tests.forecast.streams import NOW


def _kept(service: str) -> set[str]:
    return {t.name for t in kept_tables(importlib.import_module(f"services.{service}.app").SPEC)}


@pytest.mark.unit
def test_every_service_declares_projections_it_has_and_keeps_what_it_owns() -> None:
    for service in SERVICES:
        spec = importlib.import_module(f"services.{service}.app").SPEC
        assert spec.projections and len(projection_tables(spec)) == len(spec.projections), service
        assert {"outbox", "subject_sequences", "idempotency_keys"} <= _kept(service)
    assert {"adjustments", "snapshots", "snapshot_lines"} <= _kept("forecast")
    assert {"plans", "plan_versions", "plan_assignments", "quotas", "commission_lines", "credits",
            "inquiries", "periods", "draws"} <= _kept("compensation")
    assert {"territories", "reps", "teams", "rotations", "lead_book", "plans"} <= _kept("territory")
    assert {"leads", "lead_assignments", "scoring_rules"} <= _kept("leads")
    assert {"deals", "deal_history", "pipelines", "funnel_counts"} <= _kept("pipeline")


@pytest.mark.unit
def test_a_projection_without_a_table_is_refused() -> None:
    spec = dataclasses.replace(FORECAST, projections=("forecast_deals", "forcast_totals"))
    with pytest.raises(ValueError, match="forcast_totals"):
        projection_tables(spec)
    assert kept_tables(dataclasses.replace(FORECAST, metadata=MetaData(), projections=()))  # plumbing only


@pytest.mark.embedded
async def test_a_group_that_consumed_past_the_replay_is_found(embedded_backend: EmbeddedBackend) -> None:
    bus = embedded_backend.embedded_bus
    assert bus is not None
    await bus.append([OutgoingRecord("coxswain.pipeline", "d1", b"{}") for _ in range(3)])  # offsets 1..3
    await bus.commit("forecast", "coxswain.pipeline", 2)
    assert await consumed_beyond(LogEnd({("coxswain.pipeline", 0): 2}), "forecast", bus=bus, bootstrap="") == []
    await bus.commit("forecast", "coxswain.pipeline", 3)
    assert await consumed_beyond(LogEnd({("coxswain.pipeline", 0): 2}), "forecast", bus=bus, bootstrap="") == [
        "coxswain.pipeline@3"]


@pytest.mark.integration
async def test_postgres_refuses_the_switch_while_the_service_is_connected(
        kafka_backend: KafkaBackend, infrastructure: dict[str, str], tmp_path: Path) -> None:
    url = await kafka_backend.database_url("forecast")
    await upgrade_to_head(FORECAST.migrations_dir, url, "forecast")
    settings = settings_for("forecast", database_url=url, platform=kafka_backend.platform)
    live = make_url(url)
    replica = await asyncpg.connect(live.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        with pytest.raises(SwitchRefused, match="stop every replica"):
            await rebuild(FORECAST, settings, switch=True, clock=FixedClock(NOW),
                          admin_database=str(make_url(infrastructure["pg"]).database))
        assert await replica.fetchval("SELECT current_database()") == live.database  # still the live one
    finally:
        await replica.close()
        admin = await asyncpg.connect(infrastructure["pg"])
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{live.database}_rebuild_20261020120000" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.mark.integration
async def test_a_log_that_lost_its_beginning_is_reported_and_never_switched_in(
        kafka_backend: KafkaBackend, infrastructure: dict[str, str]) -> None:
    url = await kafka_backend.database_url("forecast")
    await upgrade_to_head(FORECAST.migrations_dir, url, "forecast")
    topic = kafka_backend.topic("coxswain.territory")
    for rep in ("rep-1", "rep-2"):  # one record key: both on one partition
        data = ev.RepUpserted(rep_id=rep, name=rep, email=f"{rep}@example.com", capacity=5)
        value = build_event("coxswain.rep.upserted.v1", data, subject=rep, sequence=1).model_dump_json().encode()
        await kafka_backend.produce_raw(topic, "team-1", value)
    admin_client = AIOKafkaAdminClient(bootstrap_servers=kafka_backend.platform.kafka_bootstrap)
    await admin_client.start()
    try:
        (partition,) = {r.partition for r in await kafka_backend.read_topic(topic)}
        await admin_client.delete_records({TopicPartition(topic, partition): RecordsToDelete(before_offset=1)})
    finally:
        await admin_client.close()
    settings = settings_for("forecast", database_url=url, platform=kafka_backend.platform)
    with pytest.raises(SwitchRefused, match="lost its beginning"):
        await rebuild(FORECAST, settings, switch=True, clock=FixedClock(NOW),
                      admin_database=str(make_url(infrastructure["pg"]).database))
    report = await rebuild(FORECAST, settings, clock=FixedClock(NOW + timedelta(minutes=1)),
                           admin_database=str(make_url(infrastructure["pg"]).database))
    assert (report.events, report.truncated) == (1, [f"{topic}[{partition}] starts at 1"])
    admin = await asyncpg.connect(infrastructure["pg"])
    try:
        for stamp in ("20261020120000", "20261020120100"):
            await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}_rebuild_{stamp}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.mark.embedded
def test_the_command_shows_the_drift_exits_1_and_switches_on_request(tmp_path: Path) -> None:
    env = {"COXSWAIN_BUS": "embedded", "COXSWAIN_DATA_DIR": str(tmp_path), "COXSWAIN_JSON_LOGS": "false",
           "COLUMNS": "200"}
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate", "pipeline"], env=env).exit_code == 0
    with sqlite3.connect(tmp_path / "pipeline.db") as live:  # a rep no event ever announced
        live.execute("INSERT INTO reps (rep_id, name, team_id, active) VALUES ('ghost', 'Ghost', NULL, 1)")
    checked = runner.invoke(cli, ["rebuild", "pipeline"], env=env)
    assert checked.exit_code == 1, checked.output
    assert "only live: {'active': 1, 'name': 'Ghost', 'rep_id': 'ghost', 'team_id': None}" in checked.output
    assert "replayed 0 events" in checked.output and "--switch" in checked.output
    switched = runner.invoke(cli, ["rebuild", "pipeline", "--switch"], env=env)
    assert switched.exit_code == 0, switched.output
    assert len(list(tmp_path.glob("pipeline.backup-*.db"))) == 1
    with sqlite3.connect(tmp_path / "pipeline.db") as rebuilt:
        assert rebuilt.execute("SELECT count(*) FROM reps").fetchone() == (0,)
    assert "unknown service 'bogus'" in runner.invoke(cli, ["rebuild", "bogus"], env=env).output


@pytest.mark.integration
async def test_a_kafka_group_that_committed_past_the_replay_is_found(kafka_backend: KafkaBackend) -> None:
    topic, group = kafka_backend.topic("coxswain.pipeline"), kafka_backend.platform.group("forecast")
    for _ in range(3):
        await kafka_backend.produce_raw(topic, "d1", b"{}")  # one key: offsets 0, 1, 2 of one partition
    (partition,) = {r.partition for r in await kafka_backend.read_topic(topic)}
    tp = TopicPartition(topic, partition)
    member = AIOKafkaConsumer(bootstrap_servers=kafka_backend.platform.kafka_bootstrap, group_id=group,
                              enable_auto_commit=False)
    await member.start()
    try:
        member.assign([tp])
        await member.commit({tp: 2})
        end = LogEnd({(topic, partition): 2})
        assert await consumed_beyond(end, group, bus=None, bootstrap=kafka_backend.platform.kafka_bootstrap) == []
        await member.commit({tp: 3})
        assert await consumed_beyond(end, group, bus=None, bootstrap=kafka_backend.platform.kafka_bootstrap) == [
            f"{topic}[{partition}]@3"]
    finally:
        await member.stop()
