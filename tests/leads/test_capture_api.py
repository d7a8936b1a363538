"""Capture, read and list over HTTP (embedded bus): created vs merged, 422 naming fields, filters, pagination."""
from __future__ import annotations

from shared.clock import FixedClock
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create, published

ACME = {"email": " Ana@Acme.io ", "name": "  Ana   Diaz ", "company": "Acme", "country": "Germany",
        "industry": "SaaS", "employee_count": 600, "title": "VP Sales"}


async def test_capture_normalises_scores_and_announces(leads: RunningService,
                                                       embedded_backend: EmbeddedBackend) -> None:
    created = await leads.client.post("/v1/leads", headers=OPS, json=ACME)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["outcome"], body["merged"]) == ("created", False)
    lead = body["lead"]
    assert (lead["email"], lead["name"], lead["country"], lead["company_domain"]) == (
        "ana@acme.io", "Ana Diaz", "DE", "acme.io")
    # 20 industry + 10 (50+) + 15 (500+) + 15 VP + 10 core market (DE) = 70 → warm band (50..79): 240 minutes
    assert lead["score"] == 70
    assert lead["sla_due_at"] == "2026-11-02T13:00:00Z"
    events = await eventually(lambda: published(embedded_backend, "coxswain.lead.created.v1"))
    assert [(e["subject"], int(e["sequence"]), e["data"]["email"], e["data"]["score"]) for e in events] == [
        (lead["id"], 1, "ana@acme.io", 70)]


async def test_a_duplicate_is_merged_and_the_merge_is_visible(leads: RunningService,
                                                              embedded_backend: EmbeddedBackend) -> None:
    first = await create(leads.client, **ACME)
    again = await leads.client.post("/v1/leads", headers=OPS, json={"email": "ANA@ACME.IO", "phone": "+49 30 1"})
    assert again.status_code == 200
    assert (again.json()["merged"], again.json()["lead"]["id"]) == (True, first["id"])
    by_name = await leads.client.post("/v1/leads", headers=OPS, json={
        "name": "ana diaz", "company": "Acme GmbH", "website": "https://www.acme.io"})
    assert by_name.json()["lead"]["id"] == first["id"]
    detail = (await leads.client.get(f"/v1/leads/{first['id']}", headers=OPS)).json()
    assert detail["phone"] == "+49 30 1" and detail["company"] == "Acme"  # filled, not overwritten
    assert detail["merged_count"] == 2
    assert [(m["matched_on"], m["filled"]) for m in detail["merges"]] == [
        ("email", {"phone": "+49 30 1"}), ("company_domain+name", {})]
    listed = (await leads.client.get("/v1/leads", headers=OPS)).json()["items"]
    assert len(listed) == 1
    assert len(await published(embedded_backend, "coxswain.lead.created.v1")) == 1


async def test_bad_input_is_a_422_naming_the_field(leads: RunningService) -> None:
    for body, field in (({"email": "nope"}, "email"), ({"email": "a@b.example", "country": "Narnia"}, "country"),
                        ({"email": "a@b.example", "employee_count": -1}, "employee_count"),
                        ({"email": "a@b.example", "shoe": 1}, "shoe")):
        response = await leads.client.post("/v1/leads", headers=OPS, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field
    assert (await leads.client.get("/v1/leads/nobody", headers=OPS)).status_code == 404
    assert (await leads.client.get("/v1/leads", params={"cursor": "%%%"}, headers=OPS)).status_code == 400


async def test_list_filters_and_pages(leads: RunningService, clock: FixedClock) -> None:
    ids = []
    for i, (source, industry) in enumerate([("web", "SaaS"), ("event", None), ("web", None), ("web", "SaaS")]):
        clock.advance(minutes=10)
        ids.append((await create(leads.client, email=f"p{i}@x{i}.example", source=source, industry=industry))["id"])
    got = (await leads.client.get("/v1/leads", params={"source": "web", "min_score": 20}, headers=OPS)).json()
    assert [x["id"] for x in got["items"]] == [ids[3], ids[0]]  # SaaS: 20 points; newest first
    window = {"created_from": "2026-11-02T09:15:00Z", "created_to": "2026-11-02T09:35:00Z"}
    got = (await leads.client.get("/v1/leads", params=window, headers=OPS)).json()
    assert [x["id"] for x in got["items"]] == [ids[2], ids[1]]  # 09:20 and 09:30
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await leads.client.get("/v1/leads", params=params, headers=OPS)).json()
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
