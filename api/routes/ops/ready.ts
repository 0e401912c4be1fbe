import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../env";
import { json } from "../../schemas/common";

const Readiness = z.object({
  status: z.enum(["ready", "unavailable"]),
  checks: z.record(z.string(), z.boolean()),
});

const route = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Operations"],
  summary: "Readiness: the database and the queue backend are reachable",
  responses: {
    200: json(Readiness, "Ready"),
    503: json(Readiness, "A dependency is unreachable"),
  },
});

export function registerReady(app: App): void {
  app.openapi(route, async (c) => {
    const checks = await c.get("deps").ready();
    const ok = Object.values(checks).every(Boolean);
    return c.json(
      { status: ok ? ("ready" as const) : ("unavailable" as const), checks },
      ok ? 200 : 503,
    );
  });
}
