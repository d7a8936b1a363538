"""The pure rules: normalisation, dedupe within a batch and against known leads, scoring, lifecycle, SLA."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.leads.domain import leads as domain
from services.leads.domain.capture import clean_rows, plan_capture
from services.leads.domain.normalise import LeadFields, normalise_lead
from services.leads.domain.scoring import DEFAULT_RULES, ScoringRule, score, validate_rules
from services.leads.domain.sla import breach, is_breached, parse_bands, policy_of, with_deadline
from shared.errors import ConflictError, InvalidInput

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BANDS = parse_bands("hot:80:60,cold:0:1440")


def test_normalisation_lowercases_email_trims_names_and_codes_countries() -> None:
    fields = normalise_lead({"email": "  Ana.Diaz@ACME.io ", "first_name": " Ana ", "last_name": "  Diaz",
                             "country": "United Kingdom", "employee_count": "1,200", "source": "Demo_Request",
                             "company": "  Acme   Ltd "})
    assert (fields.email, fields.name, fields.country) == ("ana.diaz@acme.io", "Ana Diaz", "GB")
    assert (fields.employee_count, fields.source, fields.company) == (1200, "demo_request", "Acme Ltd")
    assert fields.company_domain == "acme.io"
    assert normalise_lead({"email": "x@gmail.com", "country": "de"}).country == "DE"
    assert normalise_lead({"email": "x@gmail.com"}).company_domain is None  # a mailbox provider is no company
    assert normalise_lead({"name": "Bo", "company": "B", "website": "https://www.b.example/x"}).company_domain == \
        "b.example"


@pytest.mark.parametrize(("raw", "field"), [
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@b.example", "country": "Atlantis"}, "country"),
    ({"email": "a@b.example", "employee_count": "many"}, "employee_count"),
    ({"name": "Only a name"}, "email"),
])
def test_bad_input_names_the_field(raw: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_lead(raw)
    assert caught.value.errors[0].field == field


def _ids() -> object:
    counter = iter(range(1, 100))
    return lambda: f"L{next(counter)}"


def test_duplicates_merge_by_email_or_by_domain_and_name_within_a_batch_and_against_known() -> None:
    known = domain.new_lead("K1", normalise_lead({"email": "ana@acme.io", "name": "Ana Diaz"}), AT)[0]
    rows, rejected = clean_rows([
        (2, {"email": "ANA@acme.io", "phone": "555"}),                       # known, by email
        (3, {"email": "bo@beta.example", "name": "Bo Li"}),                  # new
        (4, {"name": "bo li", "company": "Beta", "website": "beta.example"}),  # row 3 again, by domain + name
        (5, {"email": "broken"}),
    ])
    plan = plan_capture(rows, [known], rules=[], bands=BANDS, at=AT, new_id=_ids())  # type: ignore[arg-type]
    assert [(o.row, o.outcome, o.lead_id) for o in plan.outcomes] == [
        (2, "merged", "K1"), (3, "created", "L1"), (4, "merged", "L1")]
    assert [(o.row, o.field) for o in rejected] == [(5, "email")]
    assert plan.merged["K1"].phone == "555" and plan.merged["K1"].merged_count == 1
    assert plan.created["L1"].company == "Beta"  # the blank filled by the duplicate; the name kept as first seen
    assert [(m[0], m[1]) for m in plan.merges] == [("K1", "email"), ("L1", "company_domain+name")]
    assert [f.type for _, f in plan.facts] == ["coxswain.lead.created.v1"]  # one lead.created, not three


def test_merge_never_overwrites_and_adds_up_activity() -> None:
    lead = replace(domain.new_lead("K1", LeadFields(email="a@b.example", title="CTO", activity_count=2), AT)[0])
    merged, filled = domain.merge_fields(lead, LeadFields(email="a@b.example", title="Intern", industry="SaaS",
                                                          activity_count=3))
    assert (merged.title, merged.industry, merged.activity_count) == ("CTO", "SaaS", 5)  # 2 + 3
    assert filled == {"industry": "SaaS", "activity_count": 5}


def test_score_adds_the_rules_that_hold_clamps_and_explains() -> None:
    fields = LeadFields(email="a@b.example", industry="SaaS", employee_count=600, title="Chief Revenue Officer",
                        country="US", source="demo_request", activity_count=7)
    total, explanation = score(fields, DEFAULT_RULES)
    # 20 industry + 10 size-mid + 15 size-large + 20 chief + 10 core market + 25 demo + 10 active = 110 → 100
    assert total == 100
    assert [e["rule_id"] for e in explanation] == ["industry-software", "size-mid", "size-large", "title-chief",
                                                   "core-market", "source-demo", "active"]
    small = LeadFields(email="a@b.example", employee_count=49, country="FR", title="Head of IT")
    assert score(small, DEFAULT_RULES)[0] == 20  # 10 head + 10 core market; 49 < 50 employees
    penalty = [ScoringRule("student", "title", "contains", "student", -30)]
    assert score(LeadFields(title="Student"), penalty)[0] == 0  # never below 0


def test_rules_are_validated() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_rules([ScoringRule("r", "shoe_size", "eq", 4, 5)])
    assert caught.value.errors[0].field == "rules.0.field"
    with pytest.raises(InvalidInput):
        validate_rules([ScoringRule("r", "title", "gte", 4, 5)])


def test_lifecycle_moves_and_illegal_transitions() -> None:
    lead = domain.new_lead("L1", LeadFields(email="a@b.example"), AT)[0]
    later = AT + timedelta(minutes=30)
    working, facts = domain.change_status(lead, "working", later)
    assert working.first_touched_at == later
    assert facts[0].data == {"lead_id": "L1", "from_status": "new", "to_status": "working", "changed_at": later}
    with pytest.raises(ConflictError):
        domain.change_status(lead, "recycled", later)  # new → recycled is not a move
    with pytest.raises(InvalidInput) as caught:
        domain.change_status(working, "disqualified", later)
    assert caught.value.errors[0].field == "disqualified_reason"
    out, _ = domain.change_status(working, "disqualified", later, " no budget ")
    assert out.disqualified_reason == "no budget"
    back, _ = domain.change_status(out, "recycled", later)
    assert back.status == "recycled" and back.first_touched_at == later  # the first touch stays the first
    assert domain.change_status(back, "recycled", later) == (back, [])  # no move, no event


def test_conversion_issues_one_deal_id_per_lead() -> None:
    lead = domain.new_lead("L1", LeadFields(email="a@b.example", company="Acme"), AT)[0]
    converted, facts = domain.convert(lead, Decimal("1200.00"), "EUR", AT)
    assert [f.type for f in facts] == ["coxswain.lead.status_changed.v1", "coxswain.lead.converted.v1"]
    assert facts[1].data["deal_id"] == converted.deal_id == domain.deal_id_for("L1")
    assert domain.convert(converted, Decimal("1200.00"), "EUR", AT) == (converted, [])  # the same again
    with pytest.raises(ConflictError):
        domain.convert(converted, Decimal("999.00"), "EUR", AT)
    disqualified, _ = domain.change_status(lead, "disqualified", AT, "spam")
    with pytest.raises(ConflictError):
        domain.convert(disqualified, Decimal("1.00"), "EUR", AT)


def test_deadline_by_band_and_breach() -> None:
    hot = with_deadline(replace(domain.new_lead("L1", LeadFields(email="a@b.example"), AT)[0], score=85), BANDS)
    cold = with_deadline(replace(hot, score=79), BANDS)
    assert hot.sla_due_at == AT + timedelta(hours=1)  # 85 ≥ 80: hot, 60 minutes
    assert cold.sla_due_at == AT + timedelta(hours=24)  # 79: cold, 1440 minutes
    assert not is_breached(hot, AT + timedelta(minutes=59))
    assert is_breached(hot, AT + timedelta(minutes=60))
    breached, facts = breach(hot, AT + timedelta(minutes=61))
    assert breached.sla_breaches == 1 and not is_breached(breached, AT + timedelta(days=2))
    assert facts[0].data["due_at"] == AT + timedelta(hours=1)
    with pytest.raises(InvalidInput):
        policy_of("hot:80:60", "reroute")  # no band starts at 0
    with pytest.raises(InvalidInput):
        policy_of("cold:0:60", "shout")


def test_unassigning_is_an_owner_change_with_an_event_and_a_fresh_follow_up_clock() -> None:
    lead = domain.new_lead("L1", LeadFields(email="a@b.example"), AT)[0]
    held, _ = domain.assign(lead, "ana", AT, "routed", "emea")
    breached = replace(held, sla_breached_at=AT + timedelta(hours=2), escalated_to="mia")
    later = AT + timedelta(hours=3)
    nobody, facts = domain.unassign(breached, later, "routed: nobody free", "emea")
    assert (nobody.owner_id, nobody.territory_id, nobody.sla_started_at, nobody.sla_breached_at,
            nobody.escalated_to) == (None, "emea", later, None, None)
    assert [f.data for f in facts] == [{"lead_id": "L1", "rep_id": None, "territory_id": "emea",
                                        "previous_rep_id": "ana", "assigned_at": later,
                                        "reason": "routed: nobody free"}]
    assert domain.unassign(nobody, later, "again") == (nobody, [])  # nobody held it: no change, no event
    moved, facts = domain.unassign(lead, later, "elsewhere", "apac")  # only the territory is noted
    assert (moved.territory_id, facts) == ("apac", [])
    closed, _ = domain.change_status(held, "disqualified", later, "spam")
    with pytest.raises(ConflictError):
        domain.unassign(closed, later, "closed")


def test_a_funnel_period_is_its_days_both_included_in_utc() -> None:
    from datetime import date

    from services.leads.domain.funnel import period_window

    assert period_window(date(2026, 11, 1), date(2026, 11, 30)) == (
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert period_window(date(2026, 11, 2), date(2026, 11, 2)) == (AT.replace(hour=0), AT.replace(hour=0, day=3))
    with pytest.raises(InvalidInput, match="period_to: the period ends before it starts"):
        period_window(date(2026, 11, 2), date(2026, 11, 1))


def test_a_sheet_batch_becomes_raw_leads_and_its_broken_rows_are_rejected() -> None:
    from services.leads.domain.spreadsheet import raw_rows

    batch = [(2, ["ana@x.io", "Ana"], None), (3, ["bo@x.io"], None), (4, [], "not well-formed CSV"),
             (5, ["", "Cy"], None)]
    raws, rejected = raw_rows(batch, {0: "email", 1: "name"}, 2, "fair")
    assert raws == [(2, {"source": "fair", "email": "ana@x.io", "name": "Ana"}), (5, {"source": "fair", "name": "Cy"})]
    assert [(o.row, o.field, o.reason) for o in rejected] == [
        (3, "row", "expected 2 columns as in the header, found 1"), (4, "row", "not well-formed CSV")]
