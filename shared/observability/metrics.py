"""Prometheus metrics, one registry per service so five services can share a process (`coxswain up`).

Counters and histograms move as work happens; the gauges of backlogs (lag, outbox depth and age, keys in
progress) are read from the database and the bus when /metrics is scraped (shared.observability.scrape).
docs/operations.md names each one with the alert built on it.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest

# Handlers take milliseconds; a batch of 500 in one transaction can take seconds.
_HANDLER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = r = CollectorRegistry()
        ProcessCollector(registry=r)  # process_cpu_seconds_total, process_resident_memory_bytes, open fds
        self.http_requests = Counter(
            "coxswain_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r)
        self.http_latency = Histogram(
            "coxswain_http_request_seconds", "HTTP request latency", ["method", "route"], registry=r)
        self.events_handled = Counter(
            "coxswain_events_consumed", "Events taken from the bus, by outcome (handled, duplicate, stale, ignored,"
            " dead_letter)", ["type", "outcome"], registry=r)
        self.handler_seconds = Histogram(
            "coxswain_handler_seconds", "Time spent handling one event, by event type", ["type"],
            buckets=_HANDLER_BUCKETS, registry=r)
        self.events_dead_lettered = Counter(
            "coxswain_events_dead_lettered", "Records sent to the dead-letter topic", ["topic"], registry=r)
        self.events_ignored = Counter(
            "coxswain_events_ignored", "Well-formed events of a type this build does not know (a newer version), "
            "skipped and committed past", ["type"], registry=r)
        self.transient_failures = Counter(
            "coxswain_transient_failures", "Handler attempts that failed for a cause outside the event (connection,"
            " recovery, serialization, deadlock, lock timeout) and were retried", ["cause"], registry=r)
        self.outbox_published = Counter("coxswain_outbox_published", "Outbox rows published", registry=r)
        self.outbox_failures = Counter(
            "coxswain_outbox_publish_failures", "Relay batches that failed and will be retried", registry=r)
        self.relay_publish_seconds = Histogram(
            "coxswain_relay_publish_seconds", "Time to publish one relay batch and have it acknowledged",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0), registry=r)
        self.consumer_restarts = Counter(
            "coxswain_consumer_restarts", "Consumer restarts by the stall watchdog", registry=r)
        self.consumer_lag = Gauge(
            "coxswain_consumer_lag", "Records on the topic not yet applied by the group",
            ["group", "topic", "partition"], registry=r)
        self.consumer_last_progress = Gauge(
            "coxswain_consumer_last_progress_timestamp_seconds",
            "When the group was last seen moving its position or caught up (unix seconds)", ["group"], registry=r)
        self.relay_last_progress = Gauge(
            "coxswain_relay_last_progress_timestamp_seconds",
            "When the relay last finished an attempt, published or not (unix seconds)", registry=r)
        self.outbox_depth = Gauge("coxswain_outbox_depth", "Outbox rows not yet published", registry=r)
        self.outbox_oldest_age = Gauge(
            "coxswain_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row (0 when none)", registry=r)
        self.idempotency_in_progress = Gauge(
            "coxswain_idempotency_keys_in_progress", "Idempotency keys whose request has not finished", registry=r)
        self.idempotency_oldest_age = Gauge(
            "coxswain_idempotency_oldest_in_progress_age_seconds",
            "Age of the oldest unfinished idempotency key (0 when none)", registry=r)
        self.up = Gauge(
            "coxswain_dependency_up", "Whether a dependency answered the last check (1) or not (0)", ["dependency"],
            registry=r)
        self.stuck = Gauge(
            "coxswain_worker_stuck", "1 when a worker (relay, consumer) has work waiting and is not progressing",
            ["worker"], registry=r)
        self.info = Gauge("coxswain_service_info", "Service identity", ["service"], registry=r)
        self.info.labels(service=service).set(1)

    def transient_total(self) -> float:
        """Transient handler failures of every cause (what a test or a health check asks)."""
        return sum(sample.value for metric in self.transient_failures.collect() for sample in metric.samples
                   if sample.name.endswith("_total"))

    def render(self) -> bytes:
        return generate_latest(self.registry)
