import { createRoute, z } from "@hono/zod-openapi";
import { addVehicle, listVehicles } from "../../../core/participants/vehicles";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody, PageQuery, page } from "../../schemas/common";
import { Mode, Vehicle, VehicleCreate } from "../../schemas/participants";

const create = createRoute({
  method: "post",
  path: "/v1/carriers/{id}/vehicles",
  tags: ["Participants"],
  summary: "Register a vehicle in a carrier's fleet (the carrier itself, or an admin)",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(VehicleCreate) },
  responses: { 201: json(Vehicle, "The registered vehicle"), ...errorResponses },
});

const list = createRoute({
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

export function registerVehicles(app: App): void {
  app.openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    const vehicle = await addVehicle(c.get("ctx"), { carrierId: id, vehicle: c.req.valid("json") });
    return c.json(vehicle, 201);
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      await listVehicles(c.get("ctx"), { carrierId: id, ...c.req.valid("query") }),
      200,
    );
  });
}
