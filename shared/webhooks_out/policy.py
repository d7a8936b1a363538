"""How hard a service tries to deliver a webhook, and when it gives up on a subscription (COXSWAIN_WEBHOOKS_*)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhookPolicy(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_WEBHOOKS_", frozen=True)

    timeout_seconds: float = Field(default=10.0, gt=0)
    # Exponential backoff: first_retry, then doubling, never more than max_retry_delay between two attempts.
    first_retry_seconds: float = Field(default=30.0, gt=0)
    max_retry_delay_seconds: float = Field(default=4 * 3600.0, gt=0)
    # A delivery is retried until this long after its event was written (or after a manual redelivery).
    retry_window_hours: float = Field(default=24.0, gt=0)
    # A subscription whose every attempt failed for this long, or this many times in a row, is disabled.
    disable_after_failing_hours: float = Field(default=24.0, gt=0)
    disable_after_consecutive_failures: int = Field(default=1000, ge=1)
    # Delivered and given-up deliveries are kept in the log this long, then pruned by the worker.
    log_retention_days: float = Field(default=30.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    batch: int = Field(default=50, ge=1, le=1000)

    @property
    def retry_window(self) -> timedelta:
        return timedelta(hours=self.retry_window_hours)

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery is kept from other workers: past it, a crashed worker's claim lapses."""
        return timedelta(seconds=self.timeout_seconds + 30)

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s, ... capped (defaults)."""
        exponent = min(attempts - 1, 40)  # 2**40 × 30 s is past any cap; no float overflow for a huge count
        return timedelta(seconds=min(self.first_retry_seconds * 2**exponent, self.max_retry_delay_seconds))

    def gives_up_on_subscription(self, *, consecutive_failures: int, failing_since: datetime, now: datetime) -> bool:
        return (consecutive_failures >= self.disable_after_consecutive_failures
                or now - failing_since >= timedelta(hours=self.disable_after_failing_hours))
