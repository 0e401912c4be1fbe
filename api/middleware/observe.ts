import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";

/** Access log line and request metrics, labelled by the matched route, not the raw path. */
export const observe = createMiddleware<AppEnv>(async (c, next) => {
  const start = performance.now();
  await next();
  const seconds = (performance.now() - start) / 1000;
  const { metrics, logger } = c.get("deps");
  const status = c.res.status;
  const matched = routePath(c);
  const route = status === 404 && matched === "/*" ? "unmatched" : matched;
  metrics.observeRequest(c.req.method, route, status, seconds);
  if (!logger.isLevelEnabled("info")) return;
  logger.info(
    {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      ms: Math.round(seconds * 1e4) / 10,
    },
    "request",
  );
});
