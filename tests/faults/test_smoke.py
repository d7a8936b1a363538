from __future__ import annotations

import pytest

from tests.faults.checker import settled
from tests.faults.conftest import StartCluster
from tests.faults.workload import Workload

pytestmark = pytest.mark.integration


async def test_smoke(start_cluster: StartCluster) -> None:
    cluster = await start_cluster()
    workload = Workload(cluster)
    from datetime import UTC, datetime
    now = datetime.now(UTC)
    await workload.organise(f"{now.year}-Q{(now.month - 1) // 3 + 1}")
    await workload.burst(deals=10, leads=10)
    verdict = await settled(workload, timeout=60)
    assert verdict.counts == (0, 0, 0), str(verdict)
