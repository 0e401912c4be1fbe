import { createMiddleware } from "hono/factory";
import { requireGoodStanding } from "../../core/context";
import type { AppEnv } from "../env";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses every write of a rejected or suspended organisation (403) before its body is even
 * read, so no route can forget the rule. Its standing is the one its key resolved to on this
 * request (see core/keys/authenticate.ts).
 */
export const standing = createMiddleware<AppEnv>(async (c, next) => {
  const actor = c.get("ctx")?.actor;
  if (actor && !READS.has(c.req.method)) requireGoodStanding(actor);
  await next();
});
