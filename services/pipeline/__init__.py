"""Pipeline service (port 8002): pipelines and stages, deals, stage history, pipeline analytics."""
