import { createMiddleware } from "hono/factory";
import type { Actor } from "../../core/context";
import { authenticateApiKey } from "../../core/keys/authenticate";
import { perMinute } from "../../core/limits/rate-limiter";
import { sessionActor, sessionMayAuthenticate } from "../dashboard/session";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { clientAddress } from "./client";
import {
  addressBucket,
  refuseSpentAddress,
  spendFailedAttempt,
  tooManyRequests,
} from "./rate-limit";

/**
 * The only API calls that need no key: self-registration of shippers and carriers, and the
 * federation inbox, feed and reports, which partners authenticate by signature instead.
 */
const PUBLIC = new Set([
  "POST /v1/shippers",
  "POST /v1/carriers",
  "POST /v1/federation/inbox",
  "GET /v1/federation/feed",
]);
const PUBLIC_REPORTS = /^GET \/v1\/federation\/reports\/[a-z-]{1,40}$/;

const isPublic = (call: string) => PUBLIC.has(call) || PUBLIC_REPORTS.test(call);

/**
 * Resolves `Authorization: Bearer <key>` to an actor. Under `/v1` a key is required except for
 * the public registration calls; a header that names no live key is refused outright.
 * Failed and missing keys spend from the client address's budget, so guessing keys runs into
 * 429s; once that budget is spent, keys from the address are not even looked up, so the
 * answer tells nothing about the key. The dashboard's session cookie stands in for a key on
 * the few reads its page makes (see `dashboard/session.ts`).
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get("deps");
  const header = c.req.header("authorization");
  let actor: Actor = { kind: "anonymous" };
  if (header !== undefined) {
    const spent = refuseSpentAddress(c);
    if (spent) return spent;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const found = match?.[1] ? await authenticateApiKey(deps.db, match[1]) : null;
    if (!found) {
      const throttled = await spendFailedAttempt(c);
      if (throttled) return throttled;
      return errorResponse(c, "UNAUTHORIZED", "API key is missing, unknown or revoked", [
        { path: "headers.authorization", message: "expected Bearer <live API key>" },
      ]);
    }
    actor = found;
  } else if (sessionMayAuthenticate(c)) {
    const resolved = await sessionActor(c);
    if (resolved instanceof Response) return resolved;
    actor = resolved;
  } else if (c.req.path.startsWith("/v1/") && !isPublic(`${c.req.method} ${c.req.path}`)) {
    const bucket = addressBucket(clientAddress(c));
    const verdict = await deps.limiter.take(bucket, perMinute(deps.rateLimitPerMinute));
    if (!verdict.ok) return tooManyRequests(c, verdict, "too many requests from this address");
    return errorResponse(c, "UNAUTHORIZED", "an API key is required", [
      { path: "headers.authorization", message: "expected Bearer <API key>" },
    ]);
  }
  c.set("ctx", {
    db: deps.db,
    actor,
    clock: deps.clock,
    identity: deps.identity,
    network: deps.network,
    requestId: c.get("requestId"),
    jobs: deps.jobs,
    nodeCode: deps.nodeCode,
    egress: deps.egress,
    feedCursors: deps.feedCursors,
    federation: deps.federation,
    reports: deps.reports,
  });
  await next();
});
