import { createRoute } from "@hono/zod-openapi";
import { addVehicle } from "../../../core/participants/vehicles";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody } from "../../schemas/common";
import { Vehicle, VehicleCreate } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/carriers/{id}/vehicles",
  tags: ["Participants"],
  summary: "Register a vehicle in a carrier's fleet (the carrier itself, or an admin)",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(VehicleCreate) },
  responses: { 201: json(Vehicle, "The registered vehicle"), ...errorResponses },
});

export function registerAddVehicle(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const vehicle = await addVehicle(c.get("ctx"), { carrierId: id, vehicle: c.req.valid("json") });
    return c.json(vehicle, 201);
  });
}
