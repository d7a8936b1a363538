"""Forecast service (port 8003): Forecasts by four methods, rollups, attainment, snapshots and accuracy."""
