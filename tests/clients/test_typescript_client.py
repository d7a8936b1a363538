"""Clients generated from the OpenAPI documents work: a TypeScript client per service (openapi-typescript types,
openapi-fetch calls, pinned in tests/clients/typescript/package-lock.json) type-checks with `tsc` under strict
settings, and drives one deal's life through a real pipeline service served by uvicorn on the embedded bus.

`npm ci` runs only when the lock file changed since the last install (a stamp in the gitignored node_modules),
so a warm run costs the generation, one incremental `tsc` and the flow.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from shared.http.auth import issue_token
from shared.settings import DEV_SECRET
from shared.testing.fuzzing import SERVICES, fuzz_app

pytestmark = pytest.mark.contract
CLIENT_DIR = Path(__file__).parent / "typescript"
STAMP = CLIENT_DIR / "node_modules" / ".coxswain-lock-sha256"
PORTS = range(18250, 18300)  # this test's share of the machine's ports
NODE_TIMEOUT = 300


def _run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=CLIENT_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


def _installed() -> None:
    """`npm ci` once per lock file: node_modules is reused while package-lock.json stays the same."""
    lock = hashlib.sha256((CLIENT_DIR / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == lock:
        return
    assert shutil.which("npm"), "Node.js and npm are needed for the client contract (see docs/operations.md)"
    _run("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
    STAMP.write_text(lock)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each service's openapi.json, its generated client, and the type-checked build of src/ against them."""
    _installed()
    generated = CLIENT_DIR / "generated"
    shutil.rmtree(generated, ignore_errors=True)
    generated.mkdir()
    for service in SERVICES:
        schema = fuzz_app(service, tmp_path_factory.mktemp(service)).openapi()  # built without starting it
        (generated / f"{service}.openapi.json").write_text(json.dumps(schema))
    _run("node", "generate.mjs", *SERVICES)
    # strict, incremental (build/.tsbuildinfo: unchanged files are not checked again), nothing emitted on an error
    _run(str(CLIENT_DIR / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json")
    return CLIENT_DIR / "build" / "src"


def test_every_service_generates_a_client_that_type_checks(compiled: Path) -> None:
    for service in SERVICES:
        types = (CLIENT_DIR / "generated" / f"{service}.ts").read_text()
        assert "export interface paths" in types and '"/readyz"' in types, service
    assert (compiled / "clients.js").exists() and (compiled / "flow.js").exists()


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {PORTS}")


@pytest.fixture
def pipeline_url(tmp_path: Path) -> Iterator[str]:
    """The pipeline service served by uvicorn (`coxswain serve`) on the embedded bus and a SQLite file."""
    port = _free_port()
    env = {**os.environ, "COXSWAIN_BUS": "embedded", "COXSWAIN_DATA_DIR": str(tmp_path),
           "COXSWAIN_JSON_LOGS": "false", "COXSWAIN_PIPELINE_PORT": str(port),
           "COXSWAIN_PIPELINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pipeline.db'}"}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", "pipeline", "--host", "127.0.0.1"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the pipeline service did not become ready in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_generated_client_drives_a_deal_through_a_running_service(compiled: Path, pipeline_url: str) -> None:
    token = issue_token(DEV_SECRET, sub="ts-client", roles=["ops"], now=datetime.now(UTC))
    done = _run("node", str(compiled / "flow.js"),
                env={"COXSWAIN_BASE_URL": pipeline_url, "COXSWAIN_TOKEN": token})
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    # created at version 1, moved to 2, closed to 3; each answer's ETag is its version
    assert outcome["etags"] == ['"1"', '"2"', '"3"']
    assert outcome["moved"] == ["offer", 2]
    assert outcome["stale"] == [412, "application/problem+json", 412]  # closing with the creation's ETag
    assert outcome["closed"] == ["won", 3]
    assert outcome["read"] == [True, "won", "1200.00", "EUR", 3]
    assert outcome["page"] == [[True], None]
