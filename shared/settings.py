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
    rate_limit_per_minute: int = 1200  # per client (bearer token or address); 0 turns it off
    log_level: str = "INFO"
    json_logs: bool = True
    # A consumer with records waiting and no progress for this long is restarted (and reported stuck).
    consumer_stall_seconds: float = 60.0
    # Bound on one consumer start (bootstrap, metadata, group join); a start that takes longer is retried.
    consumer_start_timeout_seconds: float = 30.0
    # A member that stops heartbeating (frozen, partitioned) loses its partitions after the session timeout;
    # one that stops polling leaves the group after max_poll_interval.
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 1_000
    kafka_max_poll_interval_ms: int = 300_000
    kafka_request_timeout_ms: int = 15_000
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
