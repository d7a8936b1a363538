"""deploy/docker/postgres-init.sql run by psql (as the postgres image runs it) against the test PostgreSQL: one
login role per service that owns its database, can build its schema there, and cannot connect to another
service's database. Names get a random prefix so runs sharing a server do not meet; all is dropped after.
"""
from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("leads", "pipeline", "forecast", "compensation", "territory")


def psql(dsn: str, sql: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(["psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def initialised(infrastructure: dict[str, str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    admin = infrastructure["pg"]
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    script = (ROOT / "deploy" / "docker" / "postgres-init.sql").read_text().replace("coxswain_", prefix)
    passwords = {f"COXSWAIN_{s.upper()}_DB_PASSWORD": f"pw-{s}-{uuid.uuid4().hex}" for s in SERVICES}
    try:
        psql(admin, script, passwords)
        yield admin, prefix, {s: passwords[f"COXSWAIN_{s.upper()}_DB_PASSWORD"] for s in SERVICES}
    finally:
        drops = [f"DROP DATABASE IF EXISTS {prefix}{s} WITH (FORCE);" for s in SERVICES]
        drops += [f"DROP ROLE IF EXISTS {prefix}{s};" for s in SERVICES]
        psql(admin, "\n".join(drops))


def as_role(admin: str, role: str, password: str, database: str) -> str:
    """The admin DSN with another login and database."""
    host = admin.split("@", 1)[1].split("/", 1)[0]
    return f"postgresql://{role}:{password}@{host}/{database}"


async def test_each_service_role_owns_its_database_and_no_other(
        initialised: tuple[str, str, dict[str, str]]) -> None:
    admin, prefix, passwords = initialised
    for service in SERVICES:
        role = f"{prefix}{service}"
        own = await asyncpg.connect(as_role(admin, role, passwords[service], role))
        try:
            # What a migration needs: create a table in its own database's public schema.
            await own.execute("CREATE TABLE migrated (id int primary key)")
            assert await own.fetchval("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles "
                                      "WHERE rolname = current_user") is False
        finally:
            await own.close()
        neighbour = f"{prefix}{SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)]}"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(as_role(admin, role, passwords[service], neighbour))
