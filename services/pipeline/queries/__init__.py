"""Pipeline read use cases: they open the unit of work, read and never write. `access` is who sees what."""
