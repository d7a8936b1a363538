"""/v1/pipelines: create, read, list, change and delete, with 4xx problems naming the field."""
from __future__ import annotations

from shared.testing import auth_headers
from shared.testing.harness import RunningService
from tests.pipeline.conftest import ADMIN, OPS, deal_body

STAGES = [{"id": "intro", "name": "Intro", "probability": 15, "forecast_category": "pipeline"},
          {"id": "demo", "name": "Demo", "probability": 40, "forecast_category": "best_case"},
          {"name": "Contract Sent", "probability": 80, "forecast_category": "commit"}]


async def test_a_pipeline_keeps_its_stage_order_and_gains_the_closed_stages(pipeline: RunningService) -> None:
    made = await pipeline.client.post("/v1/pipelines", headers=ADMIN,
                                      json={"id": "smb", "name": "SMB", "stages": STAGES})
    assert made.status_code == 201, made.text
    assert [(s["id"], s["position"], s["probability"], s["forecast_category"]) for s in made.json()["stages"]] == [
        ("intro", 1, 15, "pipeline"), ("demo", 2, 40, "best_case"), ("contract_sent", 3, 80, "commit"),
        ("closed_won", 4, 100, "closed"), ("closed_lost", 5, 0, "omitted")]
    read = await pipeline.client.get("/v1/pipelines/smb", headers=auth_headers("rep", rep_id="ana"))
    assert read.json() == made.json()
    listed = await pipeline.client.get("/v1/pipelines", headers=OPS, params={"limit": 1})
    assert [p["id"] for p in listed.json()["items"]] == ["default"]  # made on first use
    rest = await pipeline.client.get("/v1/pipelines", headers=OPS, params={"cursor": listed.json()["next_cursor"]})
    assert [p["id"] for p in rest.json()["items"]] == ["smb"]


async def test_invalid_pipelines_are_4xx_problems_naming_the_field(pipeline: RunningService) -> None:
    cases = [
        ({"name": "X", "stages": [{"name": "A", "probability": 101, "forecast_category": "pipeline"}]},
         "stages.0.probability"),
        ({"name": "X", "stages": [{"name": "A", "probability": 10, "forecast_category": "hopeful"}]},
         "stages.0.forecast_category"),
        ({"name": "X", "stages": []}, "stages"),
        ({"name": "X", "stages": [{"name": "A", "probability": 10, "forecast_category": "pipeline"},
                                  {"name": "W", "probability": 90, "forecast_category": "closed", "kind": "won"}]},
         "stages"),
        ({"name": "X", "stages": [{"name": "A", "probability": 10, "forecast_category": "pipeline"},
                                  {"name": "a", "probability": 20, "forecast_category": "pipeline"}]},
         "stages.1.id"),
    ]
    for body, field in cases:
        answer = await pipeline.client.post("/v1/pipelines", headers=OPS, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["field"] == field


async def test_only_ops_and_admin_shape_pipelines(pipeline: RunningService) -> None:
    answer = await pipeline.client.post("/v1/pipelines", headers=auth_headers("manager", team_ids=["t"]),
                                        json={"name": "X", "stages": STAGES})
    assert answer.status_code == 403


async def test_changing_a_pipeline_keeps_stages_that_hold_deals(pipeline: RunningService) -> None:
    c = pipeline.client
    await c.post("/v1/pipelines", headers=OPS, json={"id": "smb", "name": "SMB", "stages": STAGES})
    deal = await c.post("/v1/deals", headers=OPS, json=deal_body(pipeline_id="smb", stage_id="demo"))
    assert (deal.json()["stage_id"], deal.json()["probability"]) == ("demo", 40)
    dropping_demo = {"name": "SMB", "stages": [STAGES[0], STAGES[2]]}
    refused = await c.put("/v1/pipelines/smb", headers=OPS, json=dropping_demo)
    assert refused.status_code == 409
    renamed = await c.put("/v1/pipelines/smb", headers=OPS, json={"name": "SMB v2", "stages": STAGES, "version": 1})
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["version"]) == (200, "SMB v2", 2)
    stale = await c.put("/v1/pipelines/smb", headers=OPS, json={"name": "SMB v3", "stages": STAGES, "version": 1})
    assert stale.status_code == 409
    stale_if_match = await c.put("/v1/pipelines/smb", headers={**OPS, "If-Match": '"1"'},
                                 json={"name": "SMB v3", "stages": STAGES})
    assert stale_if_match.status_code == 412
    read = await c.get("/v1/pipelines/smb", headers=OPS)
    assert (read.json()["name"], read.headers["ETag"]) == ("SMB v2", '"2"')
    unchanged = await c.get("/v1/pipelines/smb", headers={**OPS, "If-None-Match": '"2"'})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    current = await c.put("/v1/pipelines/smb", headers={**OPS, "If-Match": read.headers["ETag"]},
                          json={"name": "SMB v3", "stages": STAGES})
    assert (current.status_code, current.headers["ETag"]) == (200, '"3"')
    assert (await c.delete("/v1/pipelines/smb", headers=OPS)).status_code == 409  # it holds a deal
    await c.post("/v1/pipelines", headers=OPS, json={"id": "empty", "name": "Empty", "stages": STAGES})
    assert (await c.delete("/v1/pipelines/empty", headers=OPS)).status_code == 204
    assert (await c.get("/v1/pipelines/empty", headers=OPS)).status_code == 404


async def test_a_deal_in_an_unknown_pipeline_or_stage_is_refused(pipeline: RunningService) -> None:
    unknown = await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body(pipeline_id="nope"))
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "pipeline_id")
    bad_stage = await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body(stage_id="nope"))
    assert (bad_stage.status_code, bad_stage.json()["errors"][0]["field"]) == (422, "stage_id")


async def test_the_openapi_document_lists_the_contract_endpoints(pipeline: RunningService) -> None:
    paths = (await pipeline.client.get("/openapi.json")).json()["paths"]
    assert {"/v1/pipelines", "/v1/pipelines/{pipeline_id}", "/v1/deals", "/v1/deals/{deal_id}",
            "/v1/deals/{deal_id}/stage", "/v1/deals/{deal_id}/close", "/v1/deals/{deal_id}/reopen",
            "/v1/deals/{deal_id}/history", "/v1/analytics/funnel", "/v1/analytics/velocity",
            "/v1/analytics/bottlenecks", "/v1/analytics/stale", "/v1/webhooks/crm"} <= set(paths)
    assert "patch" in paths["/v1/deals/{deal_id}"]
