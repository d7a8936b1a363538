// One typed client per service: type-checking this file proves each generated client compiles and is usable.
import createClient from "openapi-fetch";
import type { paths as Compensation } from "../generated/compensation.js";
import type { paths as Forecast } from "../generated/forecast.js";
import type { paths as Leads } from "../generated/leads.js";
import type { paths as Pipeline } from "../generated/pipeline.js";
import type { paths as Territory } from "../generated/territory.js";

export function clients(baseUrl: string, token: string) {
  const options = { baseUrl, headers: { Authorization: `Bearer ${token}` } };
  return {
    leads: createClient<Leads>(options),
    pipeline: createClient<Pipeline>(options),
    forecast: createClient<Forecast>(options),
    compensation: createClient<Compensation>(options),
    territory: createClient<Territory>(options),
  };
}

// Each list is a page: a wrong field name here would fail the type check.
export type PlanPage = Compensation["/v1/plans"]["get"]["responses"]["200"]["content"]["application/json"];
export type BalancePage = Territory["/v1/balance"]["get"]["responses"]["200"]["content"]["application/json"];
export const pageKeys = (page: PlanPage | BalancePage): [number, string | null | undefined] =>
  [page.items.length, page.next_cursor];
