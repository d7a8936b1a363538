"""The fault suite's own infrastructure and services: a private Kafka broker and PostgreSQL cluster (the deploy
scripts with their own data dir and ports, so stopping them disturbs no other test) and the five services as
real `coxswain serve` processes, which can be killed (-9), frozen (SIGSTOP) and thawed like any process."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from shared.testing import eventually

ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = Path(os.environ.get("COXSWAIN_FAULTS_INFRA_DIR", ROOT / ".infra" / "faults"))
KAFKA_PORT = int(os.environ.get("COXSWAIN_FAULTS_KAFKA_PORT", "19500"))
PG_PORT = int(os.environ.get("COXSWAIN_FAULTS_PG_PORT", "55520"))
PG_PROXY_PORT = PG_PORT + 1
HTTP_BASE_PORT = int(os.environ.get("COXSWAIN_FAULTS_HTTP_PORT", "18600"))
SERVICES = ("leads", "pipeline", "forecast", "compensation", "territory")


class PrivateBroker:
    """A single-node KRaft broker of our own: stopped, started, frozen at will."""

    bootstrap = f"127.0.0.1:{KAFKA_PORT}"

    def __init__(self) -> None:
        self._env = {**os.environ, "COXSWAIN_INFRA_DIR": str(INFRA_DIR), "COXSWAIN_KAFKA_PORT": str(KAFKA_PORT),
                     "COXSWAIN_KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1)}

    async def start(self) -> None:
        await _script("kafka", "start", self._env)

    async def stop(self) -> None:
        await _script("kafka", "stop", self._env)

    def pid(self) -> int:
        return int((INFRA_DIR / "kafka" / "kafka.pid").read_text().strip())

    def freeze(self) -> None:
        os.kill(self.pid(), signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.pid(), signal.SIGCONT)

    async def recover(self) -> None:
        """Running and thawed, whatever a scenario left behind."""
        with contextlib.suppress(OSError, ValueError):
            self.thaw()
        await self.start()


class PrivatePostgres:
    """A PostgreSQL cluster of our own; `crash()` is `pg_ctl stop -m immediate` (no shutdown checkpoint, so the
    next start runs crash recovery)."""

    admin_dsn = f"postgresql://coxswain:coxswain@127.0.0.1:{PG_PORT}/coxswain_test"

    def __init__(self) -> None:
        self._env = {**os.environ, "COXSWAIN_INFRA_DIR": str(INFRA_DIR), "COXSWAIN_PG_PORT": str(PG_PORT)}

    async def start(self) -> None:
        await _script("postgres", "start", self._env)

    async def stop(self) -> None:
        await _script("postgres", "stop", self._env)

    async def crash(self) -> None:
        pg_bin = Path(subprocess.run(["bash", "-c", f"source {ROOT}/deploy/postgres/lib.sh && find_pg_bin"],
                                     env=self._env, check=True, capture_output=True, text=True).stdout.strip())
        command = [str(pg_bin / "pg_ctl"), "stop", "-D", str(INFRA_DIR / "pg" / "data"), "-m", "immediate", "-w"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", os.environ.get("COXSWAIN_PG_OS_USER", "postgres"), "--", *command]
        await asyncio.to_thread(subprocess.run, command, check=True, stdout=subprocess.DEVNULL, timeout=60)

    async def create_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    @staticmethod
    def dsn(database: str, *, port: int = PG_PORT) -> str:
        return f"postgresql://coxswain:coxswain@127.0.0.1:{port}/{database}"


async def _script(kind: str, action: str, env: Mapping[str, str]) -> None:
    await asyncio.to_thread(subprocess.run, ["bash", str(ROOT / "deploy" / kind / f"{action}.sh")], env=env,
                            check=True, stdout=subprocess.DEVNULL, timeout=240)


@dataclass
class ServiceProcess:
    """One `coxswain serve <service>` process; its output goes to a log file the scenario can read."""

    service: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", self.service,
                                         "--host", "127.0.0.1"], env=self.env, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        await eventually(self._healthy, timeout=120, interval=0.5)

    async def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.service} exited with {self.process.returncode}; see {self.log_path}")
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(f"{self.url}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """kill -9: no shutdown, no offset commit, no outbox marking."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(30)

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # a frozen process cannot take its SIGTERM
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait, 10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def metric(self, sample: str, **labels: str) -> float:
        """The sum of a Prometheus counter's samples whose labels include the given ones."""
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get(f"{self.url}/metrics")).text
        wanted = [f'{k}="{v}"' for k, v in labels.items()]
        total = 0.0
        for line in text.splitlines():
            if line.startswith(sample) and all(w in line for w in wanted):
                total += float(line.rsplit(" ", 1)[1])
        return total


@dataclass
class Cluster:
    """The five services of one scenario: their own topic namespace and databases on the private cluster."""

    broker: PrivateBroker
    postgres: PrivatePostgres
    db_port: int = PG_PORT
    settings: dict[str, str] = field(default_factory=dict)
    namespace: str = field(default_factory=lambda: f"f{uuid.uuid4().hex[:8]}")
    replicas: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    _next_port: int = HTTP_BASE_PORT

    @property
    def log_dir(self) -> Path:
        """Kept after the run (pytest's tmp dirs are pruned while other suites run) for reading a failure."""
        path = INFRA_DIR / "logs" / self.namespace
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database(self, service: str) -> str:
        return f"{self.namespace}_{service}"

    def topic(self, logical: str) -> str:
        return f"{self.namespace}.{logical}"

    def group(self, service: str) -> str:
        return f"{self.namespace}-{service}"

    async def create_databases(self) -> None:
        for service in SERVICES:
            await self.postgres.create_database(self.database(service))

    async def drop_databases(self) -> None:
        for service in SERVICES:
            await self.postgres.drop_database(self.database(service))

    def _env(self, service: str, port: int) -> dict[str, str]:
        prefix = f"COXSWAIN_{service.upper()}_"
        return {**os.environ, "COXSWAIN_BUS": "kafka", "COXSWAIN_KAFKA_BOOTSTRAP": self.broker.bootstrap,
                "COXSWAIN_NAMESPACE": self.namespace, "COXSWAIN_ENVIRONMENT": "test",
                "COXSWAIN_RATE_LIMIT_PER_MINUTE": "0", "COXSWAIN_JSON_LOGS": "false",
                "COXSWAIN_FORECAST_SNAPSHOT_SCHEDULE": "false",
                f"{prefix}DATABASE_URL": PrivatePostgres.dsn(self.database(service), port=self.db_port).replace(
                    "postgresql://", "postgresql+asyncpg://"),
                f"{prefix}PORT": str(port), **self.settings}

    async def add(self, service: str) -> ServiceProcess:
        """Start one more replica of a service (same database and consumer group, its own port)."""
        port = self._next_port
        self._next_port += 1
        index = len(self.replicas.get(service, []))
        process = ServiceProcess(service, port, self._env(service, port), self.log_dir / f"{service}-{index}.log")
        self.replicas.setdefault(service, []).append(process)
        await process.start()
        return process

    async def start(self) -> None:
        await self.create_databases()
        await asyncio.gather(*(self.add(service) for service in SERVICES))

    def url(self, service: str) -> str:
        return self.replicas[service][0].url

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for ps in self.replicas.values() for p in ps))
