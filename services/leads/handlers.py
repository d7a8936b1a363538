"""Leads' commands and consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from shared.messaging.dispatch import Handler

EVENT_HANDLERS: dict[str, Handler] = {}
CONSUMED_TOPICS = ("coxswain.territory",)
