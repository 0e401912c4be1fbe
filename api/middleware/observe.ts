import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";

/** Access log line and request metrics, labelled by the matched route, not the raw path. */
export const observe = createMiddleware<AppEnv>(async (c, next) => {
  const start = performance.now();
  await next();
  const seconds = (performance.now() - start) / 1000;
  const { metrics, logger } = c.get("deps");
  const route = c.res.status === 404 && routePath(c) === "/*" ? "unmatched" : routePath(c);
  metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
  metrics.latency.observe({ method: c.req.method, route }, seconds);
  logger.info(
    {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      route,
      status: c.res.status,
      ms: Math.round(seconds * 1e4) / 10,
    },
    "request",
  );
});
