"""Pipeline's scheduled and background jobs: none today. Its summary rows change in each deal's own transaction
(no snapshot job), stale deals are found by an indexed query at read time, and the relay, consumer, retention
and webhook delivery are the runtime's (shared/runtime.py). A job added here is listed in app.SPEC.workers."""
