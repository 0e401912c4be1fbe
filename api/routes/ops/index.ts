import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { json } from "../../schemas/common";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness: the process answers",
  responses: { 200: json(z.object({ status: z.literal("ok") }), "Alive") },
});

const Readiness = z.object({
  status: z.enum(["ready", "unavailable"]),
  checks: z.record(z.string(), z.boolean()),
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Operations"],
  summary: "Readiness: the database and the queue backend are reachable",
  responses: {
    200: json(Readiness, "Ready"),
    503: json(Readiness, "A dependency is unreachable"),
  },
});

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics: requests by route and status, latency, queue depths",
  responses: {
    200: {
      description: "Prometheus text format",
      content: { "text/plain": { schema: z.string() } },
    },
  },
});

export function registerOps(app: App): void {
  app.openapi(health, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(ready, async (c) => {
    const checks = await c.get("deps").ready();
    const ok = Object.values(checks).every(Boolean);
    return c.json(
      { status: ok ? ("ready" as const) : ("unavailable" as const), checks },
      ok ? 200 : 503,
    );
  });
  app.openapi(metrics, async (c) => {
    const body = await c.get("deps").metrics.text();
    return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
