"""Outgoing webhooks: partners subscribe over HTTP to the events a service writes to its outbox.

Each service delivers its own events to the subscriptions in its own database (docs/webhooks.md). One delivery row
per subscription and event is written in the transaction that writes the event's outbox row (shared.db.uow), and
a worker of the service's runtime sends the due ones, signed per the Standard Webhooks specification.
"""
