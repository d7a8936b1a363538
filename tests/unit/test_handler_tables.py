"""Handler tables are written by payload model; the catalog turns each model into its one event type."""
from __future__ import annotations

import pytest
from pydantic import BaseModel

from shared.events import REGISTRY, by_payload, type_of
from shared.events import catalog as c


def test_a_table_by_payload_is_keyed_by_each_models_event_type() -> None:
    table = by_payload({c.LeadCreated: "route", c.DealClosedV2: "credit", c.DealClosed: "credit v1"})
    assert table == {"coxswain.lead.created.v1": "route", "coxswain.deal.closed.v2": "credit",
                     "coxswain.deal.closed.v1": "credit v1"}


def test_every_catalog_model_names_exactly_one_type() -> None:
    assert {type_of(spec.model) for spec in REGISTRY.values()} == set(REGISTRY)


def test_a_model_outside_the_catalog_cannot_be_registered() -> None:
    class Gossip(BaseModel):
        rumour: str

    with pytest.raises(LookupError, match="Gossip is the payload of 0 event types"):
        by_payload({Gossip: "listen"})
