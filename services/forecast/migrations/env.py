from services.forecast.db.models import metadata
from shared.db.migrate import run_environment
from shared.db.plumbing import plumbing_metadata

run_environment([plumbing_metadata, metadata])
