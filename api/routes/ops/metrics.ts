import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../env";

const route = createRoute({
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

export function registerMetrics(app: App): void {
  app.openapi(route, async (c) => {
    const body = await c.get("deps").metrics.text();
    return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
