import { createRoute, z } from "@hono/zod-openapi";
import { getVehicle } from "../../../core/participants/vehicles";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, idOf, json } from "../../schemas/common";
import { Vehicle } from "../../schemas/participants";

const route = createRoute({
  method: "get",
  path: "/v1/carriers/{id}/vehicles/{vehicleId}",
  tags: ["Participants"],
  summary: "One vehicle of a carrier's fleet (the carrier, admins, regulators)",
  security: bearer,
  request: {
    params: z.object({
      id: idOf("org").openapi({ param: { name: "id", in: "path" } }),
      vehicleId: idOf("veh").openapi({ param: { name: "vehicleId", in: "path" } }),
    }),
  },
  responses: { 200: json(Vehicle, "The vehicle"), ...errorResponses },
});

export function registerGetVehicle(app: App): void {
  app.openapi(route, async (c) => {
    const { id, vehicleId } = c.req.valid("param");
    return c.json(await getVehicle(c.get("ctx"), { carrierId: id, vehicleId }), 200);
  });
}
