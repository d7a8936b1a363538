// One deal's life through the generated pipeline client against a running service: create a pipeline and a
// deal, move it (If-Match with the ETag it answered), refuse a stale If-Match (412), close it, read it back,
// and page the deals. Prints one JSON line for the test to check; any surprise exits non-zero.
import { clients } from "./clients.js";

const baseUrl = process.env.COXSWAIN_BASE_URL;
const token = process.env.COXSWAIN_TOKEN;
if (!baseUrl || !token) throw new Error("COXSWAIN_BASE_URL and COXSWAIN_TOKEN must be set");
const { pipeline } = clients(baseUrl, token);

function must<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): [T, Response] {
  if (answer.data === undefined) {
    throw new Error(`${what}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  return [answer.data, answer.response];
}

const stages = [
  { id: "intro", name: "Intro", probability: 10, forecast_category: "pipeline" as const },
  { id: "offer", name: "Offer", probability: 60, forecast_category: "best_case" as const },
];
const [created] = must("create pipeline", await pipeline.POST("/v1/pipelines", {
  body: { id: "ts-smb", name: "TS SMB", stages },
  headers: { "Idempotency-Key": "ts-flow-pipeline" },
}));
const [deal, dealAnswer] = must("create deal", await pipeline.POST("/v1/deals", {
  body: { name: "Globex renewal", amount: "1200.00", currency: "EUR", owner_id: "ana", pipeline_id: created.id,
          stage_id: "intro" },
}));
const etag = dealAnswer.headers.get("ETag") ?? "";
const [moved, movedAnswer] = must("move deal", await pipeline.POST("/v1/deals/{deal_id}/stage", {
  params: { path: { deal_id: deal.id }, header: { "If-Match": etag } },
  body: { stage_id: "offer" },
}));
const stale = await pipeline.POST("/v1/deals/{deal_id}/close", {
  params: { path: { deal_id: deal.id }, header: { "If-Match": etag } },
  body: { outcome: "won" },
});
const [closed] = must("close deal", await pipeline.POST("/v1/deals/{deal_id}/close", {
  params: { path: { deal_id: deal.id }, header: { "If-Match": movedAnswer.headers.get("ETag") ?? "" } },
  body: { outcome: "won" },
}));
const [read, readAnswer] = must("read deal", await pipeline.GET("/v1/deals/{deal_id}", {
  params: { path: { deal_id: deal.id } },
}));
const [page] = must("list deals", await pipeline.GET("/v1/deals", {
  params: { query: { pipeline_id: created.id, limit: 10 } },
}));

console.log(JSON.stringify({
  pipeline: created.id,
  etags: [etag, movedAnswer.headers.get("ETag"), readAnswer.headers.get("ETag")],
  moved: [moved.stage_id, moved.version],
  stale: [stale.response.status, stale.response.headers.get("content-type"), stale.error?.status],
  closed: [closed.status, closed.version],
  read: [read.id === deal.id, read.status, read.amount, read.currency, read.version],
  page: [page.items.map((d) => d.id === deal.id), page.next_cursor ?? null],
}));
