import { createRoute } from "@hono/zod-openapi";
import { rotateSigningKey } from "../../../core/federation/rotate-key";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { RotatedKeys } from "../../schemas/federation";

const route = createRoute({
  method: "post",
  path: "/v1/node/keys/rotate",
  tags: ["Federation"],
  summary: "Make and publish a new signing key (admin only)",
  description:
    "The previous keys stay published and signing for `CARAVAN_NODE_KEY_GRACE_HOURS` (72 by default). The node key behind audit proofs does not change.",
  security: bearer,
  responses: { 201: json(RotatedKeys, "The new key and every published key"), ...errorResponses },
});

export function registerRotateNodeKeys(app: App): void {
  app.openapi(route, async (c) => c.json(await rotateSigningKey(c.get("ctx")), 201));
}
