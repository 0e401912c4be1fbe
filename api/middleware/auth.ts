import { createMiddleware } from "hono/factory";
import type { Actor } from "../../core/context";
import { authenticateApiKey } from "../../core/keys/authenticate";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

/** The only API calls that need no key: self-registration of shippers and carriers. */
const PUBLIC = new Set(["POST /v1/shippers", "POST /v1/carriers"]);

/**
 * Resolves `Authorization: Bearer <key>` to an actor. Under `/v1` a key is required except for
 * the public registration calls; a header that names no live key is refused outright.
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
  } else if (c.req.path.startsWith("/v1/") && !PUBLIC.has(`${c.req.method} ${c.req.path}`)) {
    return errorResponse(c, "UNAUTHORIZED", "an API key is required", [
      { path: "headers.authorization", message: "expected Bearer <API key>" },
    ]);
  }
  c.set("ctx", {
    db: deps.db,
    actor,
    clock: deps.clock,
    requestId: c.get("requestId"),
    jobs: deps.jobs,
    nodeCode: deps.nodeCode,
    feedCursors: deps.feedCursors,
  });
  await next();
});
