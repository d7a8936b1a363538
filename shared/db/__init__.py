"""Database plumbing: engines, the plumbing tables every service database holds, the unit of work."""
