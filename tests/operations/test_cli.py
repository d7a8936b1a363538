"""The `coxswain` command as an operator meets it: a mistake is one clear line and exit code 2, never a
traceback; services are found through their entry points; dead letters are listed, shown and redriven."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.cli import cli, main
from shared.clock import SystemClock
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.records import DLQ_REASON, IncomingRecord, dead_letter_record
from shared.operations.installed import installed_service, service_names
from shared.runtime import ServiceSpec
from tests.integration.spine_fixture import quota_event

pytestmark = pytest.mark.unit


def _coxswain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "COXSWAIN_DATA_DIR": str(cwd / "data")}, timeout=120)


@pytest.mark.parametrize(("args", "said"), [
    (["frobnicate"], "coxswain: No such command 'frobnicate'."),
    (["serve", "bogus"], "coxswain: Invalid value: unknown service 'bogus'; installed: "
                         "compensation, forecast, leads, pipeline, territory"),
    (["status", "--bogus"], "coxswain: No such option: --bogus"),
    (["dlq", "redrive"], "coxswain: Invalid value: name dead letters by id, or pass --all "
                         "(with --topic/--group/--type to narrow)"),
])
def test_a_usage_mistake_is_one_line_and_exit_code_two(args: list[str], said: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_code:
        main(args)
    assert (exit_code.value.code, *capsys.readouterr()) == (2, "", said + "\n")


def test_the_installed_command_answers_a_mistake_without_a_traceback(tmp_path: Path) -> None:
    done = _coxswain("serve", "bogus", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.startswith("coxswain: Invalid value: unknown")
    assert len(done.stderr.splitlines()) == 1


def test_a_failure_is_one_line_and_exit_code_one(tmp_path: Path) -> None:
    done = _coxswain("dlq", "list", cwd=tmp_path)  # no bus file yet: nothing to read, and nothing created
    assert done.returncode == 1 and "Traceback" not in done.stderr
    bus = tmp_path / "data" / "bus.db"
    assert done.stderr == f"coxswain: NoBus: no embedded bus at {bus} (set COXSWAIN_DATA_DIR)\n"
    assert not bus.exists()


def test_services_are_found_through_their_entry_points() -> None:
    assert service_names() == ("compensation", "forecast", "leads", "pipeline", "territory")
    leads = installed_service("leads")
    assert isinstance(leads.spec, ServiceSpec) and leads.spec.name == "leads"
    assert leads.settings_class.service == "leads" and callable(leads.create_app)


def _poisoned_bus(data_dir: Path) -> list[str]:
    """Two dead letters on the embedded bus, as forecast's runner writes them; returns their event ids."""
    async def write() -> list[str]:
        bus = EmbeddedBus(f"sqlite+aiosqlite:///{data_dir / 'bus.db'}", clock=SystemClock())
        events = [quota_event("ana", 100, 1), quota_event("bo", 5, 1)]
        for offset, event in enumerate(events, start=1):
            original = IncomingRecord("coxswain.compensation", 0, offset, event.subject,
                                      event.model_dump_json().encode(), [])
            await bus.append([dead_letter_record(original, group="forecast", reason=f"plan missing #{offset}")])
        await bus.close()
        return [str(e.id) for e in events]
    return asyncio.run(write())


def _topic(data_dir: Path, topic: str) -> list[IncomingRecord]:
    async def read() -> list[IncomingRecord]:
        bus = EmbeddedBus(f"sqlite+aiosqlite:///{data_dir / 'bus.db'}", clock=SystemClock())
        try:
            return await bus.records(topic)
        finally:
            await bus.close()
    return asyncio.run(read())


def test_dead_letters_are_listed_shown_and_redriven_onto_their_topic(tmp_path: Path) -> None:
    event_ids = _poisoned_bus(tmp_path)
    env = {"COXSWAIN_BUS": "embedded", "COXSWAIN_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    listed = runner.invoke(cli, ["dlq", "list", "--json", "--group", "forecast"], env=env)
    assert listed.exit_code == 0, listed.output
    letters = json.loads(listed.output)
    assert [(x["id"], x["original_topic"], x["reason"], x["event_id"]) for x in letters] == [
        ("coxswain.compensation.dlq.forecast:0:1", "coxswain.compensation", "plan missing #1", event_ids[0]),
        ("coxswain.compensation.dlq.forecast:0:2", "coxswain.compensation", "plan missing #2", event_ids[1])]
    assert json.loads(runner.invoke(cli, ["dlq", "list", "--json", "--group", "leads"], env=env).output) == []

    shown = runner.invoke(cli, ["dlq", "show", "coxswain.compensation.dlq.forecast:0:2"], env=env)
    assert shown.exit_code == 0 and "plan missing #2" in shown.output and '"rep_id": "bo"' in shown.output

    redriven = runner.invoke(cli, ["dlq", "redrive", "coxswain.compensation.dlq.forecast:0:1"], env=env)
    assert redriven.exit_code == 0 and "redrove 1 dead letters" in redriven.output
    back = _topic(tmp_path, "coxswain.compensation")
    assert [(r.key, json.loads(r.value or b"")["id"]) for r in back] == [("ana", event_ids[0])]
    assert dict(back[0].headers)["coxswain-redriven-from"] == b"coxswain.compensation.dlq.forecast:0:1"
    assert DLQ_REASON not in dict(back[0].headers)  # the original record, not the dead letter's wrapping

    everything = runner.invoke(cli, ["dlq", "redrive", "--all", "--type", "coxswain.quota.set.v1"], env=env)
    assert everything.exit_code == 0 and "redrove 2 dead letters" in everything.output
    assert len(_topic(tmp_path, "coxswain.compensation")) == 3  # at least once: the inbox dedupes the repeat
    assert runner.invoke(cli, ["dlq", "show", "nope:0:1"], env=env).exit_code == 2



def test_status_reports_every_installed_service_and_the_dead_letters(tmp_path: Path) -> None:
    _poisoned_bus(tmp_path)
    env = {"COXSWAIN_BUS": "embedded", "COXSWAIN_DATA_DIR": str(tmp_path)}
    done = CliRunner().invoke(cli, ["status", "--json"], env=env)
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    # No service has run here: each says its database is missing; forecast's group waits on nothing yet.
    assert [s["service"] for s in report["services"]] == list(service_names())
    forecast = next(s for s in report["services"] if s["service"] == "forecast")
    assert forecast["errors"] == [f"database: no file at {tmp_path / 'forecast.db'}"]
    assert {(p["topic"], p["lag"]) for p in forecast["partitions"]} == {
        ("coxswain.pipeline", 0), ("coxswain.compensation", 0), ("coxswain.territory", 0)}
    assert report["dead_letters"] == [{"topic": "coxswain.compensation.dlq.forecast", "group": "forecast",
                                       "count": 2}]
    table = CliRunner().invoke(cli, ["status"], env=env)
    assert table.exit_code == 0 and "Dead letters" in table.output
    assert "coxswain.compensation.dlq.forecast" in table.output
    assert not (tmp_path / "forecast.db").exists()  # looking created nothing
