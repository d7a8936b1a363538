"""Forecast's read use cases: they open the unit of work, read through db/ and the domain, never write."""
