"""Compensation's scheduled and background jobs: none of its own. The ledger moves only when a fact changes (a
deal event in handlers.py, a plan, quota, rate or period command), never on a timer; the runtime's own jobs
(outbox relay, webhook delivery, retention) run for it as for every service."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from shared.runtime import ServiceRuntime

WORKERS: tuple[Callable[[ServiceRuntime], Coroutine[Any, Any, None]], ...] = ()
