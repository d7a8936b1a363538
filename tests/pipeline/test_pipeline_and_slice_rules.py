"""Rules that sat in routes, now pure domain: a pipeline's next version and its deletion; which analytics slice
a caller reads and may read; and the default pipeline migration 0004 makes is the domain's."""
from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

import services.pipeline as pipeline_service
from services.pipeline.domain import slices
from services.pipeline.domain.pipelines import (
    Stage,
    StalePipeline,
    check_deletable,
    default_pipeline,
    revise_pipeline,
)
from shared.errors import ConflictError, ForbiddenError, InvalidInput
from shared.visibility import EVERYTHING, Scope

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIPE = default_pipeline(T0)
TWO = [Stage("intro", "Intro", 20, "pipeline"), Stage("deal", "Deal", 60, "commit")]


def test_a_revision_starts_from_the_version_read_and_keeps_the_creation_time() -> None:
    new = revise_pipeline(PIPE, "Sales", TWO, expected_version=1, stages_in_use={"closed_won"})
    assert (new.id, new.name, new.version, new.created_at) == ("default", "Sales", 2, T0)
    assert [s.id for s in new.stages] == ["intro", "deal", "closed_won", "closed_lost"]
    assert revise_pipeline(PIPE, "Sales", TWO, expected_version=None, stages_in_use=set()).version == 2


def test_a_revision_from_an_old_version_or_dropping_a_stage_with_deals_is_a_conflict() -> None:
    with pytest.raises(StalePipeline):
        revise_pipeline(PIPE, "Sales", TWO, expected_version=3, stages_in_use=set())
    with pytest.raises(ConflictError) as held:
        revise_pipeline(PIPE, "Sales", TWO, expected_version=1, stages_in_use={"proposal"})
    assert not isinstance(held.value, StalePipeline)


def test_the_default_pipeline_and_one_with_deals_cannot_be_deleted() -> None:
    with pytest.raises(InvalidInput):
        check_deletable("default", 0)
    with pytest.raises(ConflictError):
        check_deletable("smb", 2)
    check_deletable("smb", 0)


def test_one_slice_at_most_and_what_each_caller_reads_by_default() -> None:
    assert slices.asked_slice(None, None, None) is None
    assert slices.asked_slice(None, "ana", None) == ("rep", "ana")
    with pytest.raises(InvalidInput) as two:
        slices.asked_slice("west", "ana", None)
    assert two.value.errors[0].field == "rep_id"
    manager = Scope(rep_id="mia", team_ids=frozenset({"west", "emea"}))
    assert slices.own_slice(manager) == ("team", "emea")
    assert slices.own_slice(Scope(rep_id="ana")) == ("rep", "ana")
    assert slices.name_of(None) == "all" and slices.name_of(("territory", "north")) == "territory:north"


def test_who_may_read_which_slice() -> None:
    manager = Scope(rep_id="mia", team_ids=frozenset({"emea", "west"}))
    slices.check_may_read(EVERYTHING, ("team", "anywhere"))
    slices.check_may_read(manager, ("team", "west"))
    slices.check_may_read(manager, ("rep", "mia"))
    slices.check_may_read(manager, ("rep", "ana"), rep_team="west")
    for asked, team in ((("team", "east"), None), (("rep", "bob"), "east"), (("territory", "north"), None)):
        with pytest.raises(ForbiddenError):
            slices.check_may_read(manager, asked, rep_team=team)
    with pytest.raises(ForbiddenError):
        slices.check_may_read(Scope(rep_id="ana"), ("rep", "bob"))


def test_a_team_slice_sums_itself_and_its_sub_teams() -> None:
    assert slices.slices_of("team:emea", {"emea", "west", "north"}) == ["team:emea", "team:north", "team:west"]
    assert slices.slices_of("rep:ana", ()) == ["rep:ana"] and slices.slices_of("all", ()) == ["all"]


def test_migration_0004_makes_the_domain_default_pipeline() -> None:
    path = Path(pipeline_service.__file__).parent / "migrations" / "versions" / "0004_default_pipeline.py"
    spec = importlib.util.spec_from_file_location("pipeline_0004", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.STAGES == [(s.id, s.position, s.name, s.probability, s.forecast_category, s.kind)
                                for s in PIPE.stages]
