"""The backoff schedule, the auto-disable rule and the signature, checked by hand and against the library."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from shared.webhooks_out.policy import WebhookPolicy
from shared.webhooks_out.signing import new_secret, signature

pytestmark = pytest.mark.unit
POLICY = WebhookPolicy()


def test_retries_back_off_exponentially_to_a_cap() -> None:
    # 30 s doubled per failure: 30, 60, 120, 240 s; the 9th wait is 30 × 2^8 = 7680 s; the 10th would be
    # 15360 s, past the 4 h (14400 s) cap, and so is every later one, however many.
    assert [POLICY.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 9, 10, 11, 10_000)] == [
        30, 60, 120, 240, 7680, 14400, 14400, 14400]


def test_the_defaults_keep_trying_for_a_day() -> None:
    # The first 9 waits (30 s … 7680 s) sum to 30 × (2^9 − 1) = 15330 s; then 4 h each: 4 more fit
    # (15330 + 4 × 14400 = 72930 s ≈ 20.3 h), a 5th would end at 87330 s > 86400 s: 1 + 9 + 4 = 14 attempts.
    elapsed, attempts = timedelta(0), 1
    while elapsed + POLICY.retry_delay(attempts) <= POLICY.retry_window:
        elapsed += POLICY.retry_delay(attempts)
        attempts += 1
    assert attempts == 14 and elapsed == timedelta(seconds=72930)


def test_a_subscription_is_given_up_after_a_day_of_failures_or_too_many_in_a_row() -> None:
    since = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert not POLICY.gives_up_on_subscription(consecutive_failures=999, failing_since=since,
                                               now=since + timedelta(hours=23, minutes=59))
    assert POLICY.gives_up_on_subscription(consecutive_failures=2, failing_since=since, now=since + timedelta(hours=24))
    assert POLICY.gives_up_on_subscription(consecutive_failures=1000, failing_since=since, now=since)


def test_the_signature_is_the_one_the_standard_webhooks_library_computes() -> None:
    secret, body = new_secret(), b'{"type":"coxswain.deal.closed.v1"}'
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    expected = Webhook(secret).sign("evt-1", at, body.decode())
    assert signature(secret, "evt-1", int(at.timestamp()), body) == expected
    assert signature(secret, "evt-2", int(at.timestamp()), body) != expected  # the id is signed too
