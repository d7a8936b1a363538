"""Every JSON read of the API carries an ETag (the record's version where it has one, else a weak hash of the
body) and If-None-Match naming it answers 304 without a body; a change gives a new ETag."""
from __future__ import annotations

import pytest

from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import running_service
from tests.territory.conftest import OPS

pytestmark = pytest.mark.embedded


async def test_a_territory_read_revalidates_by_its_body_hash(embedded_backend: EmbeddedBackend) -> None:
    async with running_service("territory", database_url=await embedded_backend.database_url("territory"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as service:
        c = service.client
        body = {"id": "nordics", "name": "Nordics"}
        assert (await c.post("/v1/territories", headers=OPS, json=body)).status_code == 201
        first = await c.get("/v1/territories/nordics", headers=OPS)
        etag = first.headers["ETag"]
        assert etag.startswith('W/"') and len(etag) == 3 + 32 + 1  # W/" + 32 hex digits of SHA-256 + "
        again = await c.get("/v1/territories/nordics", headers={**OPS, "If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
        other = await c.get("/v1/territories/nordics", headers={**OPS, "If-None-Match": 'W/"something-else"'})
        assert (other.status_code, other.json()["name"]) == (200, "Nordics")
        renamed = await c.put("/v1/territories/nordics", headers=OPS, json={"name": "Nordics and Baltics"})
        assert renamed.status_code == 200, renamed.text
        changed = await c.get("/v1/territories/nordics", headers={**OPS, "If-None-Match": etag})
        assert (changed.status_code, changed.json()["name"]) == (200, "Nordics and Baltics")
        assert changed.headers["ETag"] != etag
        csv_less = await c.get("/metrics")  # not an API read: no ETag added
        assert "etag" not in csv_less.headers
