import { createRoute } from "@hono/zod-openapi";
import { registerOrganization } from "../../../core/participants/register";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { json, jsonBody } from "../../schemas/common";
import { CarrierRegistration, Registered } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/carriers",
  tags: ["Participants"],
  summary:
    "Register a carrier with its modes and qualifications (self-service; pending until verified)",
  request: jsonBody(CarrierRegistration),
  responses: {
    201: json(Registered, "The organisation and its first API key, shown once"),
    ...errorResponses,
  },
});

export function registerRegisterCarrier(app: App): void {
  app.openapi(route, async (c) => {
    const result = await registerOrganization(c.get("ctx"), "carrier", c.req.valid("json"));
    return c.json(result, 201);
  });
}
