import { createRoute } from "@hono/zod-openapi";
import { describeNode } from "../../../core/federation/describe-node";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { json } from "../../schemas/common";
import { NodeDescription } from "../../schemas/federation";

const route = createRoute({
  method: "get",
  path: "/.well-known/caravan-node",
  tags: ["Federation"],
  summary: "Who this node is and the keys it signs with (no key needed)",
  description:
    "`jwks` lists every signing key not yet retired (RFC 8037 Ed25519 JWKs named by their RFC 7638 thumbprint): after a rotation the old key stays listed for the grace period.",
  responses: { 200: json(NodeDescription, "The node's description"), ...errorResponses },
});

export function registerWellKnownNode(app: App): void {
  app.openapi(route, async (c) => {
    // Short: a partner that cached it keeps working, since a rotated-out key stays valid.
    c.header("cache-control", "public, max-age=60");
    return c.json(await describeNode(c.get("ctx")), 200);
  });
}
