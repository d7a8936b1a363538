"""CSV import (good rows in, bad rows reported by row number, in-file duplicates merged) and CRM webhooks
(HubSpot- and Salesforce-style; wrong, missing and expired signatures refused; a redelivery changes nothing)."""
from __future__ import annotations

import json

from shared.clock import FixedClock
from shared.http.webhooks import sign
from shared.settings import DEV_SECRET
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create, published

SHEET = (
    "E-mail Address,First Name,Last Name,Company Name,Country,Employees,Lead Source\r\n"
    "ana@acme.io,Ana,Diaz,Acme,Germany,600,webinar\r\n"
    "not-an-email,Bo,Li,Beta,FR,10,web\r\n"
    "\r\n"
    "cy@gamma.example,Cy,\"Quote, with comma\",Gamma,Atlantis,5,web\r\n"
    "ANA@ACME.IO,,,,,,\r\n"
    "di@delta.example,Di,\"Multi\nline\",Delta,us,many,web\r\n"
    "ed@eps.example,Ed,Eps,Eps,uk\r\n"
    "fay@phi.example,Fay,Phi,Phi,UK,20,\r\n"
)


async def test_csv_import_reports_bad_rows_and_counts(leads: RunningService,
                                                      embedded_backend: EmbeddedBackend) -> None:
    known = await create(leads.client, email="fay@phi.example", title="CFO")
    response = await leads.client.post("/v1/leads/import", headers={**OPS, "content-type": "text/csv"},
                                       content=SHEET.encode())
    assert response.status_code == 200, response.text
    body = response.json()
    # rows 2 ana (new), 3 bad email, 4 blank (skipped), 5 bad country, 6 ana again (merged), 7 bad employees
    # (a quoted line break keeps it one record), 8 too few columns, 9 fay (merged into the known lead)
    assert (body["rows"], body["created"], body["merged"], body["rejected"]) == (7, 1, 2, 4)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "email"), (5, "country"), (7, "employee_count"), (8, "row")]
    ana = (await leads.client.get("/v1/leads", params={"source": "webinar"}, headers=OPS)).json()["items"]
    assert [(x["email"], x["name"], x["country"], x["employee_count"]) for x in ana] == [
        ("ana@acme.io", "Ana Diaz", "DE", 600)]
    fay = (await leads.client.get(f"/v1/leads/{known['id']}", headers=OPS)).json()
    assert (fay["country"], fay["title"], fay["merged_count"]) == ("GB", "CFO", 1)
    created = await published(embedded_backend, "coxswain.lead.created.v1")
    assert len(created) == 2  # fay by the API, ana by the import


async def test_import_mapping_and_empty_files(leads: RunningService) -> None:
    sheet = "Contact Mail,Who\r\nzo@zeta.example,Zo Z\r\n"
    unmapped = await leads.client.post("/v1/leads/import", headers=OPS, content=sheet.encode())
    assert unmapped.status_code == 422 and unmapped.json()["errors"][0]["field"] == "header"
    mapped = await leads.client.post("/v1/leads/import", params=[("map", "email:Contact Mail"), ("map", "name:Who")],
                                     headers=OPS, content=sheet.encode())
    assert mapped.json()["created"] == 1
    wrong = await leads.client.post("/v1/leads/import", params={"map": "email:Nope"}, headers=OPS,
                                    content=sheet.encode())
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "map"
    assert (await leads.client.post("/v1/leads/import", headers=OPS, content=b"")).status_code == 422


HUBSPOT = {"eventId": 4711, "subscriptionType": "contact.creation", "objectId": 99,
           "properties": {"email": "Hub@Spot.example", "firstname": "Hu", "lastname": "Bee", "company": "Spot",
                          "country": "France", "numemployees": "250", "hs_analytics_num_visits": "6"}}
SALESFORCE = {"event": {"EventUuid": "a1b2", "replayId": 17},
              "payload": {"Id": "00Q1", "Email": "sales@force.example", "FirstName": "Sal", "LastName": "Es",
                          "Company": "Force", "Country": "US", "NumberOfEmployees": 40, "LeadSource": "Referral"}}


def _signed(body: bytes, at: int, secret: str = DEV_SECRET) -> dict[str, str]:
    return {"Coxswain-Signature": sign(secret, body, at), "content-type": "application/json"}


async def test_crm_webhooks_signed_replayed_and_refused(leads: RunningService, clock: FixedClock,
                                                        embedded_backend: EmbeddedBackend) -> None:
    now = int(clock.now().timestamp())
    hub = json.dumps(HUBSPOT).encode()
    first = await leads.client.post("/v1/webhooks/crm", headers=_signed(hub, now), content=hub)
    assert first.status_code == 200, first.text
    assert (first.json()["outcome"], first.json()["replayed"]) == ("created", False)
    again = await leads.client.post("/v1/webhooks/crm", headers=_signed(hub, now + 5), content=hub)
    assert (again.json()["lead_id"], again.json()["replayed"]) == (first.json()["lead_id"], True)
    lead = (await leads.client.get(f"/v1/leads/{first.json()['lead_id']}", headers=OPS)).json()
    assert (lead["email"], lead["name"], lead["country"], lead["source"], lead["merged_count"]) == (
        "hub@spot.example", "Hu Bee", "FR", "hubspot", 0)
    # 10 (50+ employees) + 10 core market FR + 10 (5+ activities: 6 visits) = 30
    assert lead["score"] == 30

    sf = json.dumps(SALESFORCE).encode()
    created = await leads.client.post("/v1/webhooks/crm", headers=_signed(sf, now), content=sf)
    assert created.json()["outcome"] == "created"
    sf_lead = (await leads.client.get(f"/v1/leads/{created.json()['lead_id']}", headers=OPS)).json()
    assert (sf_lead["company"], sf_lead["source"], sf_lead["score"]) == ("Force", "referral", 25)  # 15 + 10 US

    refused = [
        await leads.client.post("/v1/webhooks/crm", headers=_signed(sf, now, "wrong-secret"), content=sf),
        await leads.client.post("/v1/webhooks/crm", headers=_signed(sf, now - 301), content=sf),  # expired
        await leads.client.post("/v1/webhooks/crm", headers={"content-type": "application/json"}, content=sf),
        await leads.client.post("/v1/webhooks/crm", headers=_signed(sf, now), content=sf + b" "),  # tampered
    ]
    assert [r.status_code for r in refused] == [401, 401, 401, 401]
    odd = b'{"hello": "world"}'
    assert (await leads.client.post("/v1/webhooks/crm", headers=_signed(odd, now), content=odd)).status_code == 422
    assert len(await published(embedded_backend, "coxswain.lead.created.v1")) == 2


async def test_the_cli_streams_a_file_with_progress(leads: RunningService, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from services.leads import import_cli

    sheet = tmp_path / "fair.csv"
    sheet.write_text("email,name\r\nvisitor@fair.example,Vi Sitor\r\nnope,No\r\n")
    real_client = httpx.AsyncClient
    monkeypatch.setattr(import_cli.httpx, "AsyncClient",
                        lambda **kw: real_client(transport=httpx.ASGITransport(app=leads.app), **kw))
    token = OPS["Authorization"].split(" ", 1)[1]
    response = await import_cli._send(sheet, "http://leads", token, ["name:name"], "fair")
    assert (response.status_code, response.json()["created"], response.json()["rejected"]) == (200, 1, 1)
    listed = (await leads.client.get("/v1/leads", params={"source": "fair"}, headers=OPS)).json()["items"]
    assert [x["email"] for x in listed] == ["visitor@fair.example"]
