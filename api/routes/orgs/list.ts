import { createRoute, z } from "@hono/zod-openapi";
import { listOrganizations } from "../../../core/participants/read";
import { ORG_KINDS } from "../../../core/participants/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";
import { Organization } from "../../schemas/participants";
import { OrgListQuery } from "./shared";

const OrganizationPage = page(Organization, "OrganizationPage");

function listRoute(path: string, summary: string, withKind: boolean) {
  return createRoute({
    method: "get",
    path,
    tags: ["Participants"],
    summary,
    security: bearer,
    request: {
      query: withKind ? OrgListQuery.extend({ kind: z.enum(ORG_KINDS).optional() }) : OrgListQuery,
    },
    responses: { 200: json(OrganizationPage, "A page of organisations"), ...errorResponses },
  });
}

const registry =
  "Admins and regulators see the registry (regulators without contact details); others see themselves.";

/** `/v1/shippers`, `/v1/carriers` and `/v1/orgs` list the same registry, filtered by kind. */
export function registerListOrganizations(app: App): void {
  for (const kind of ["shipper", "carrier"] as const) {
    app.openapi(listRoute(`/v1/${kind}s`, `List ${kind}s. ${registry}`, false), async (c) => {
      const q = c.req.valid("query");
      return c.json(await listOrganizations(c.get("ctx"), { ...q, kind }), 200);
    });
  }
  app.openapi(
    listRoute("/v1/orgs", `List organisations of any kind. ${registry}`, true),
    async (c) => {
      return c.json(await listOrganizations(c.get("ctx"), c.req.valid("query")), 200);
    },
  );
}
