import { createRoute } from "@hono/zod-openapi";
import { registerOrganization } from "../../../core/participants/register";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { json, jsonBody } from "../../schemas/common";
import { Registered, ShipperRegistration } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/shippers",
  tags: ["Participants"],
  summary: "Register a shipper (self-service; pending until verified)",
  request: jsonBody(ShipperRegistration),
  responses: {
    201: json(Registered, "The organisation and its first API key, shown once"),
    ...errorResponses,
  },
});

export function registerRegisterShipper(app: App): void {
  app.openapi(route, async (c) => {
    const result = await registerOrganization(c.get("ctx"), "shipper", c.req.valid("json"));
    return c.json(result, 201);
  });
}
