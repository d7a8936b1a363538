"""The import's bulk paths give what the one-at-a-time paths give: lead.created encoded for a whole batch is
byte for byte `emit`'s envelope, and rules prepared once score like `score` (merges in a batch, in any order of
known leads, end as one at a time)."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.leads.commands.announcements import created_rows
from services.leads.domain import leads as domain
from services.leads.domain.capture import clean_rows, plan_capture
from services.leads.domain.normalise import LeadFields
from services.leads.domain.scoring import DEFAULT_RULES, ScoringRule, scorer
from services.leads.domain.sla import parse_bands
from shared.events import CloudEvent
from shared.events.registry import REGISTRY, encode_event
from shared.testing.harness import running_service
from tests.leads import test_import_and_webhooks as sqlite_import
from tests.leads.conftest import OPS

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 2, 9, 0, 5, 120, tzinfo=UTC)
ODD = ["Zoë \"Q\" O'Neil\\", "tab\x01ctl \u2028 line", "😀 emoji", "plain"]


def _fields(i: int) -> LeadFields:
    return LeadFields(email=f"l{i}@co.example", name=ODD[i % 4], company=ODD[(i + 1) % 4], country="DE",
                      employee_count=i * 7 if i % 3 else None, title="VP Sales" if i % 2 else None,
                      company_domain="co.example", source="import", industry=None if i % 5 else "SaaS")


@pytest.mark.parametrize("traceparent", [None, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
@pytest.mark.parametrize("at", [AT, AT.replace(microsecond=0), AT.astimezone(timezone(timedelta(0)))])
def test_bulk_lead_created_is_emits_envelope_byte_for_byte(at: datetime, traceparent: str | None) -> None:
    facts = []
    for i in range(12):
        total, explanation = scorer(DEFAULT_RULES)(_fields(i))
        lead, raised = domain.new_lead(f"lead-{i}", _fields(i), at, total, explanation)
        facts += [(lead.id, f) for f in raised]
    rows = created_rows(facts, service="leads", at=at, traceparent=traceparent)
    assert rows is not None and len(rows) == len(facts)
    for row, (lead_id, fact) in zip(rows, facts, strict=True):
        event = CloudEvent(**({"traceparent": traceparent} if traceparent else {}), id=uuid.UUID(str(row["event_id"])),
                           source="/coxswain/leads", type=fact.type, subject=lead_id, time=at, sequence=1,
                           data=REGISTRY[fact.type].model.model_validate(fact.data))
        assert row["payload"] == encode_event(event)
        assert (row["topic"], row["key"], row["event_type"], row["created_at"], row["attempts"],
                row["traceparent"]) == ("coxswain.leads", lead_id, fact.type, at, 0, traceparent)
        assert json.loads(row["payload"])["data"]["lead_id"] == lead_id  # type: ignore[arg-type]


def test_what_the_bulk_encoder_does_not_know_goes_the_usual_way() -> None:
    lead, raised = domain.new_lead("L1", _fields(1), AT)
    off_utc = AT.astimezone(timezone(timedelta(hours=2)))
    assert created_rows([(lead.id, raised[0])], service="leads", at=off_utc, traceparent=None) is None
    odd = domain.Fact(raised[0].type, {**raised[0].data, "score": 1.5})
    assert created_rows([(lead.id, odd)], service="leads", at=AT, traceparent=None) is None


RULES = [*DEFAULT_RULES, ScoringRule("lte-small", "employee_count", "lte", 10, -5),
         ScoringRule("eq-de", "country", "eq", "de", 3), ScoringRule("src-in", "source", "in", ["IMPORT"], 4)]


def test_rules_prepared_once_score_as_each_rule_alone() -> None:
    score = scorer(RULES)
    for i in range(40):
        fields = _fields(i)
        hits = [r for r in RULES if scorer([r])(fields)[1]]
        total, explanation = score(fields)
        assert [e["rule_id"] for e in explanation] == [r.id for r in hits]
        assert total == max(0, min(100, sum(r.points for r in hits)))


def test_a_batch_plans_as_its_rows_one_at_a_time() -> None:
    raw = [(n, {"email": f"a{n % 7}@acme.io", "name": f"N {n % 5}", "company": "Acme", "website": "acme.io",
                "employee_count": str(n * 10) if n % 2 else None, "title": "Head of Ops" if n % 3 else None})
           for n in range(2, 40)]
    good, _ = clean_rows(raw)
    bands = parse_bands("hot:80:60,cold:0:1440")

    def ids():  # type: ignore[no-untyped-def]
        counter = iter(range(10_000))
        return lambda: f"id-{next(counter)}"

    batch = plan_capture(good, [], rules=RULES, bands=bands, at=AT, new_id=ids())
    new_id, known, outcomes = ids(), {}, []  # type: ignore[var-annotated]
    for row in good:
        plan = plan_capture([row], list(known.values()), rules=RULES, bands=bands, at=AT, new_id=new_id)
        known.update(plan.created)
        known.update(plan.merged)
        outcomes += plan.outcomes
    assert batch.outcomes == outcomes
    assert {**batch.created, **batch.merged} == known


@pytest.mark.integration
async def test_the_csv_import_on_postgresql_reports_and_merges_as_on_sqlite(
        embedded_backend, postgres_database, clock) -> None:  # type: ignore[no-untyped-def]
    """The PostgreSQL statements (COPY, array lookups, locked merges): the SQLite test's assertions, on it."""
    async with running_service("leads", database_url=await postgres_database("leads"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=clock, sla_sweep_seconds=3600) as leads:
        await sqlite_import.test_csv_import_reports_bad_rows_and_counts(leads, embedded_backend)
        again = await leads.client.post("/v1/leads/import", headers=OPS,
                                        content=b"email,name,title\r\nana@acme.io,Ana,Chief of Staff\r\n")
        assert (again.json()["created"], again.json()["merged"]) == (0, 1)  # merged into the stored lead

