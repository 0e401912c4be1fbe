import { createRoute, z } from "@hono/zod-openapi";
import { listVehicles } from "../../../core/participants/vehicles";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, PageQuery, page } from "../../schemas/common";
import { Mode, Vehicle } from "../../schemas/participants";

const route = createRoute({
  method: "get",
  path: "/v1/carriers/{id}/vehicles",
  tags: ["Participants"],
  summary: "List a carrier's vehicles",
  security: bearer,
  request: {
    params: IdParam("org"),
    query: z.strictObject({ mode: Mode.optional(), ...PageQuery }),
  },
  responses: { 200: json(page(Vehicle, "VehiclePage"), "A page of vehicles"), ...errorResponses },
});

export function registerListVehicles(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      await listVehicles(c.get("ctx"), { carrierId: id, ...c.req.valid("query") }),
      200,
    );
  });
}
