"""Settings from the environment (pydantic-settings); the only place that reads it.

Platform-wide names are COXSWAIN_<NAME> (COXSWAIN_BUS, COXSWAIN_KAFKA_BOOTSTRAP, COXSWAIN_JWT_SECRET, ...);
a service's own are COXSWAIN_<SERVICE>_<NAME> (COXSWAIN_LEADS_DATABASE_URL, COXSWAIN_LEADS_PORT, ...).
"""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "coxswain-development-secret-change-me"


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    bus: Literal["embedded", "kafka"] = "embedded"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_partitions: int = 3
    data_dir: Path = Path(".data")
    jwt_secret: str = DEV_SECRET
    jwt_issuer: str = "coxswain"
    webhook_secret: str = DEV_SECRET
    cors_origins: list[str] = []
    max_body_bytes: int = 10 * 1024 * 1024
    rate_limit_per_minute: int = 1200  # per client (verified principal, else address); 0 turns it off
    # Idempotency-Key: how long a completed answer is kept, and how long a claim whose request never finished
    # (its process died) blocks retries before the next retry may take it over.
    idempotency_retention_seconds: int = Field(default=86_400, ge=1)
    idempotency_lock_seconds: int = Field(default=60, ge=1)
    log_level: str = "INFO"
    json_logs: bool = True
    # A consumer with records waiting and no progress for this long is restarted (and reported stuck).
    consumer_stall_seconds: float = 60.0
    # /livez fails when a relay or consumer has had work waiting this long without progress (docs/operations.md).
    liveness_stuck_seconds: float = 180.0
    # Spans are exported (OTLP over HTTP) only when this standard OpenTelemetry variable is set.
    otel_exporter_otlp_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    # Retention (docs/operations.md): published outbox rows and processed event ids older than these are
    # pruned in batches; the per-subject sequences are kept, so a duplicate of a pruned event is still refused.
    outbox_retention_hours: float = Field(default=7 * 24, gt=0)
    inbox_retention_hours: float = Field(default=7 * 24, gt=0)
    retention_sweep_seconds: float = Field(default=3600, gt=0)
    retention_batch: int = Field(default=5000, ge=1)
    # The domain log is what a rebuild replays: kept forever unless set (Kafka retention.ms=-1). On the
    # embedded bus a set window only drops records every group reading the topic has consumed.
    log_retention_hours: float | None = Field(default=None, gt=0)
    dlq_retention_hours: float = Field(default=14 * 24, gt=0)
    # None: 1 in development and test (a single local broker), 3 otherwise.
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    kafka_min_insync_replicas: int | None = Field(default=None, ge=1)
    # Bound on one consumer start (bootstrap, metadata, group join); a start that takes longer is retried.
    consumer_start_timeout_seconds: float = 30.0
    # A member that stops heartbeating (frozen, partitioned) loses its partitions after the session timeout;
    # one that stops polling leaves the group after max_poll_interval.
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 1_000
    kafka_max_poll_interval_ms: int = 300_000
    kafka_request_timeout_ms: int = 15_000
    # Throughput of the spine (docs/benchmarks.md, "spine (issue 14)"). The relay claims up to
    # relay_batch_size outbox rows a transaction and sends them at once; the producer groups what it is given
    # into record batches of up to kafka_producer_max_batch_bytes per partition, waiting kafka_producer_linger_ms
    # for more; a consumer fetches up to kafka_consumer_max_records records a batch (one transaction, one commit),
    # at most kafka_consumer_max_partition_fetch_bytes per partition and kafka_consumer_fetch_max_bytes a fetch.
    relay_batch_size: int = Field(default=1000, ge=1)
    kafka_producer_linger_ms: int = Field(default=2, ge=0)
    kafka_producer_max_batch_bytes: int = Field(default=512 * 1024, ge=1024)
    kafka_consumer_max_records: int = Field(default=1000, ge=1)
    kafka_consumer_max_partition_fetch_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    kafka_consumer_fetch_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # Set on every PostgreSQL connection (0 turns one off): see shared.db.engine.SessionTimeouts.
    db_statement_timeout_ms: int = 60_000
    db_lock_timeout_ms: int = 15_000
    db_idle_in_transaction_timeout_ms: int = 30_000
    # Prefixes topics and consumer groups, so several installations (or test runs) can share one broker.
    namespace: str = Field(default="", pattern=r"^[a-z0-9-]*$")

    def topic(self, logical: str) -> str:
        return f"{self.namespace}.{logical}" if self.namespace else logical

    def group(self, service: str) -> str:
        return f"{self.namespace}-{service}" if self.namespace else service

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> PlatformSettings:
        if self.environment == "production":
            for name in ("jwt_secret", "webhook_secret"):
                if getattr(self, name) == DEV_SECRET or len(getattr(self, name)) < 32:
                    raise ValueError(f"COXSWAIN_{name.upper()} must be set to a secret of 32+ characters in production")
        return self

    @model_validator(mode="after")
    def _heartbeat_within_session(self) -> PlatformSettings:
        if self.kafka_heartbeat_interval_ms * 3 > self.kafka_session_timeout_ms:
            raise ValueError("COXSWAIN_KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of the session timeout")
        return self

    @property
    def replication_factor(self) -> int:
        if self.kafka_replication_factor is not None:
            return self.kafka_replication_factor
        return 1 if self.environment in ("development", "test") else 3

    @property
    def min_insync_replicas(self) -> int:
        """acks=all is only durable if more than one replica must hold a record: two of three by default."""
        if self.kafka_min_insync_replicas is not None:
            return self.kafka_min_insync_replicas
        return max(1, self.replication_factor - 1)

    @property
    def embedded_bus_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.data_dir / 'bus.db'}"


class ServiceSettings(BaseSettings):
    """Subclassed once per service with `env_prefix="COXSWAIN_<SERVICE>_"`."""

    model_config = SettingsConfigDict(extra="ignore")
    service: ClassVar[str]

    port: int
    host: str = "127.0.0.1"
    database_url: str | None = None
    migrate_on_start: bool = True
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.platform.data_dir / (self.service + '.db')}"
