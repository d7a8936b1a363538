"""GET /v1/coverage: live coverage per territory and per rep, with filters and rollup along the hierarchy."""
from __future__ import annotations

from fastapi import APIRouter

from services.territory import queries
from services.territory.api.coverage_schemas import CoverageOut, FiguresOut, RepCoverage, TerritoryCoverage
from shared.http.deps import Reader, Uow
from shared.periods import quarter_of

router = APIRouter(tags=["coverage"])


def _out(found: queries.Coverage) -> CoverageOut:
    return CoverageOut(
        period=found.period, rollup=found.rollup, unplaced_leads=found.unplaced_leads,
        territories=[TerritoryCoverage(territory_id=t.id, name=t.name, parent_id=t.parent_id,
                                       **FiguresOut.of(f).model_dump()) for t, f in found.territories],
        reps=[RepCoverage(rep_id=r.id, name=r.name, team_id=r.team_id, **FiguresOut.of(f).model_dump())
              for r, f in found.reps])


@router.get("/coverage", response_model=CoverageOut)
async def read_coverage(uow: Uow, who: Reader, period: str | None = None, territory_id: str | None = None,
                        team_id: str | None = None, rollup: bool = True) -> CoverageOut:
    """Reps shown are those the caller may see: a manager's teams and every team below them; a rep, themself."""
    period = period or quarter_of(uow.clock.now())
    return _out(await queries.coverage(uow, who, period, rollup, territory_id, team_id))
