import { createRoute } from "@hono/zod-openapi";
import { getOrganization } from "../../../core/participants/read";
import type { OrgKind } from "../../../core/participants/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { Organization } from "../../schemas/participants";

function getRoute(path: string, summary: string) {
  return createRoute({
    method: "get",
    path,
    tags: ["Participants"],
    summary,
    security: bearer,
    request: { params: IdParam("org") },
    responses: {
      200: json(Organization, "The organisation as the caller may see it"),
      ...errorResponses,
    },
  });
}

export function registerGetOrganization(app: App): void {
  const kinds: [string, OrgKind | undefined][] = [
    ["shippers", "shipper"],
    ["carriers", "carrier"],
    ["orgs", undefined],
  ];
  for (const [segment, kind] of kinds) {
    const route = getRoute(`/v1/${segment}/{id}`, `Read one ${kind ?? "organisation"}`);
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await getOrganization(c.get("ctx"), { id, kind }), 200);
    });
  }
}
