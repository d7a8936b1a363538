"""Prometheus metrics, one registry per service so five services can share a process (`coxswain up`)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
        self.http_requests = Counter(
            "coxswain_http_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "coxswain_http_request_seconds", "HTTP request latency", ["method", "route"], registry=self.registry
        )
        self.events_handled = Counter(
            "coxswain_events_consumed", "Events taken from the bus, by outcome", ["type", "outcome"],
            registry=self.registry,
        )
        self.events_dead_lettered = Counter(
            "coxswain_events_dead_lettered", "Records sent to the dead-letter topic", ["topic"],
            registry=self.registry,
        )
        self.events_ignored = Counter(
            "coxswain_events_ignored", "Well-formed events of a type this build does not know (a newer version), "
            "skipped and committed past", ["type"], registry=self.registry,
        )
        self.handler_transient_failures = Counter(
            "coxswain_handler_transient_failures", "Handler attempts that failed on the infrastructure (database "
            "away, deadlock, lock timeout) and were retried without counting toward the dead-letter limit",
            registry=self.registry,
        )
        self.outbox_published = Counter(
            "coxswain_outbox_published", "Outbox rows published", registry=self.registry
        )
        self.outbox_failures = Counter(
            "coxswain_outbox_publish_failures", "Relay batches that failed and will be retried",
            registry=self.registry,
        )
        self.consumer_restarts = Counter(
            "coxswain_consumer_restarts", "Consumer restarts by the stall watchdog", registry=self.registry
        )
        self.info = Gauge("coxswain_service_info", "Service identity", ["service"], registry=self.registry)
        self.info.labels(**labels).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)
