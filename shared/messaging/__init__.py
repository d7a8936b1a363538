"""Moving events: the outbox relay, the consumer runners (Kafka and embedded) and their dispatcher."""
