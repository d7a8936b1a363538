"""Saved JSON schemas of the event payloads: `python -m shared.events.schemas --write DIR` refreshes them;
the contract tests fail when a model drifts from its saved schema without a deliberate refresh."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from shared.events.registry import REGISTRY


def schema_of(event_type: str) -> dict[str, Any]:
    return REGISTRY[event_type].model.model_json_schema(mode="serialization")


def write_all(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for event_type in REGISTRY:
        path = directory / f"{event_type}.json"
        path.write_text(json.dumps(schema_of(event_type), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=Path, required=True)
    write_all(parser.parse_args().write)
