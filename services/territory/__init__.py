"""Territory service (port 8005): Reps, teams, territories, lead routing, coverage and what-if plans."""
