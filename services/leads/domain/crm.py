"""CRM webhook payloads → raw lead fields and the CRM's own event id (a redelivery carries the same id).

HubSpot-style: `{"eventId", "subscriptionType": "contact.creation"|"contact.propertyChange", "objectId",
"properties": {email, firstname, lastname, company, website, jobtitle, phone, country, state, zip, industry,
numemployees, hs_analytics_source, hs_analytics_num_visits}}`.
Salesforce-style (a Lead change event): `{"event": {"EventUuid", "replayId"}, "payload": {"Id", Email,
FirstName, LastName, Company, Website, Title, Phone, Country, State, PostalCode, Industry, NumberOfEmployees,
LeadSource}}`.
"""
from __future__ import annotations

from typing import Any

from shared.errors import InvalidInput

HUBSPOT = {"email": "email", "firstname": "first_name", "lastname": "last_name", "company": "company",
           "website": "website", "jobtitle": "title", "phone": "phone", "country": "country", "state": "region",
           "zip": "postal_code", "industry": "industry", "numemployees": "employee_count",
           "hs_analytics_source": "source", "hs_analytics_num_visits": "activity_count"}
SALESFORCE = {"Email": "email", "FirstName": "first_name", "LastName": "last_name", "Company": "company",
              "Website": "website", "Title": "title", "Phone": "phone", "Country": "country", "State": "region",
              "PostalCode": "postal_code", "Industry": "industry", "NumberOfEmployees": "employee_count",
              "LeadSource": "source"}


def _mapped(values: Any, mapping: dict[str, str], where: str) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise InvalidInput(where, "must be an object of lead properties")
    return {field: values[key] for key, field in mapping.items() if values.get(key) not in (None, "")}


MAX_EVENT_ID_CHARS = 180  # the stored delivery id is "<crm>:<id>" in 200 characters


def _event_id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not 0 < len(str(value)) <= MAX_EVENT_ID_CHARS:
        raise InvalidInput(where, f"the CRM's event id is a string or number of 1 to {MAX_EVENT_ID_CHARS} characters")
    return str(value)


def crm_lead(body: Any) -> tuple[str, dict[str, Any]]:
    """(external event id, raw lead fields) from either CRM's payload; anything else is a 422."""
    if isinstance(body, dict) and "eventId" in body:
        raw = _mapped(body.get("properties"), HUBSPOT, "properties")
        raw.setdefault("source", "hubspot")
        return f"hubspot:{_event_id(body['eventId'], 'eventId')}", raw
    if isinstance(body, dict) and isinstance(body.get("event"), dict) and "payload" in body:
        event_id = body["event"].get("EventUuid") or body["event"].get("replayId")
        if not event_id:
            raise InvalidInput("event.EventUuid", "a Salesforce event needs its EventUuid (or replayId)")
        raw = _mapped(body["payload"], SALESFORCE, "payload")
        raw.setdefault("source", "salesforce")
        return f"salesforce:{_event_id(event_id, 'event.EventUuid')}", raw
    raise InvalidInput("body", "neither a HubSpot-style (eventId, properties) nor a Salesforce-style "
                               "(event, payload) lead payload")
