import { createMiddleware } from "hono/factory";
import type { Actor } from "../../core/context";
import { authenticateApiKey } from "../../core/keys/authenticate";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

/**
 * Resolves `Authorization: Bearer <key>` to an actor. No header means anonymous (verbs decide
 * whether that is enough); a header that names no live key is refused outright.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get("deps");
  const header = c.req.header("authorization");
  let actor: Actor = { kind: "anonymous" };
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const found = match?.[1] ? await authenticateApiKey(deps.db, match[1]) : null;
    if (!found) {
      return errorResponse(c, "UNAUTHORIZED", "API key is missing, unknown or revoked", [
        { path: "headers.authorization", message: "expected Bearer <live API key>" },
      ]);
    }
    actor = found;
  }
  c.set("ctx", { db: deps.db, actor, clock: deps.clock, requestId: c.get("requestId") });
  await next();
});
