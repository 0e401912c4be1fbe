import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../env";
import { json } from "../../schemas/common";

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness: the process answers",
  responses: { 200: json(z.object({ status: z.literal("ok") }), "Alive") },
});

export function registerHealth(app: App): void {
  app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
