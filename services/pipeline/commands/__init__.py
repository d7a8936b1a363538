"""Pipeline write use cases, one module per aggregate: deals, pipelines, the CRM feed, the organisation copy."""
