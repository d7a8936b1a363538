"""GET /v1/coverage: live coverage per territory and per rep, with filters and rollup along the hierarchy."""
from __future__ import annotations

from fastapi import APIRouter

from services.territory.api.coverage_schemas import CoverageOut, FiguresOut, RepCoverage, TerritoryCoverage
from services.territory.db.snapshot import Snapshot, load_snapshot
from services.territory.domain.coverage import period_bounds, quarter_of, rep_coverage, subtree, territory_coverage
from services.territory.domain.coverage import unplaced as count_unplaced
from shared.errors import NotFoundError
from shared.http.auth import Principal
from shared.http.deps import Reader, Uow

router = APIRouter(tags=["coverage"])


def coverage_of(snap: Snapshot, period: str, rollup: bool, territory_id: str | None = None,
                team_id: str | None = None, who: Principal | None = None) -> CoverageOut:
    bounds = period_bounds(period)
    per_territory = territory_coverage(snap.territories, snap.reps, snap.leads, snap.deals, snap.quotas, bounds,
                                       rollup=rollup)
    shown = subtree(territory_id, snap.territories) if territory_id else set(snap.territories)
    per_rep = rep_coverage(snap.reps, snap.leads, snap.deals, snap.quotas, bounds)
    reps = [r for r in snap.reps.values()
            if (team_id is None or r.team_id == team_id) and _may_see(who, r.id, r.team_id)]
    if territory_id:
        members = {m for t in shown for m in snap.territories[t].rep_ids}
        reps = [r for r in reps if r.id in members]
    return CoverageOut(
        period=period, rollup=rollup, unplaced_leads=count_unplaced(snap.leads, snap.territories),
        territories=[TerritoryCoverage(territory_id=t.id, name=t.name, parent_id=t.parent_id,
                                       **FiguresOut.of(per_territory[t.id]).model_dump())
                     for t in snap.territories.values() if t.id in shown],
        reps=[RepCoverage(rep_id=r.id, name=r.name, team_id=r.team_id, **FiguresOut.of(per_rep[r.id]).model_dump())
              for r in reps])


def _may_see(who: Principal | None, rep_id: str, team_id: str | None) -> bool:
    """Ops, admin and integration see every rep; a manager their teams'; a rep only themself."""
    if who is None or who.sees_everything:
        return True
    return (who.has_any("manager") and team_id in who.team_ids) or who.rep_id == rep_id


@router.get("/coverage", response_model=CoverageOut)
async def read_coverage(uow: Uow, who: Reader, period: str | None = None, territory_id: str | None = None,
                        team_id: str | None = None, rollup: bool = True) -> CoverageOut:
    period = period or quarter_of(uow.clock.now())
    period_bounds(period)  # a malformed period is a 422 before any reading
    async with uow:
        snap = await load_snapshot(uow.session, period)
    if territory_id and territory_id not in snap.territories:
        raise NotFoundError(f"territory {territory_id} does not exist")
    return coverage_of(snap, period, rollup, territory_id, team_id, who)
