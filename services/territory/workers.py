"""Territory's scheduled and background jobs: none today. Routing, re-routing and coverage all happen in the
transaction of the request or the event that causes them (a rep deactivated, a breach, a plan activated), and the
relay, consumer, retention and webhook delivery are the runtime's (shared/runtime.py). A job added here is listed
in app.SPEC.workers."""
