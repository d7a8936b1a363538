"""Territory's write use cases, one module per aggregate: organisation (reps, teams, territories), plans, routing.

Each command owns its unit of work when a route calls it (and runs again after a deadlock or a serialization
failure, shared.db.uow.command); called from a handler it joins the consumer's transaction."""
