import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { perHour, perMinute, type Verdict } from "../../core/limits/rate-limiter";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { clientAddress } from "./client";

/** Self-registration: each creates an organisation, which would otherwise be a new budget. */
const REGISTRATIONS = new Set(["/v1/shippers", "/v1/carriers"]);

export const addressBucket = (address: string) => `addr:${address}`;

export function tooManyRequests(
  c: Context<AppEnv>,
  verdict: Extract<Verdict, { ok: false }>,
  message: string,
): Response {
  c.header("Retry-After", String(verdict.retryAfterSeconds));
  return errorResponse(c, "TOO_MANY_REQUESTS", message);
}

const FAILED = "too many failed requests from this address";

/**
 * 429 when this process already knows the client's address has spent its budget. Checked
 * before a key or session is looked up, so once refused the answer says nothing about it.
 */
export function refuseSpentAddress(c: Context<AppEnv>): Response | undefined {
  const verdict = c.get("deps").limiter.exhausted(addressBucket(clientAddress(c)));
  return verdict.ok ? undefined : tooManyRequests(c, verdict, FAILED);
}

/** Spends a failed key or session from the address's budget; the 429 once it is spent. */
export async function spendFailedAttempt(c: Context<AppEnv>): Promise<Response | undefined> {
  const deps = c.get("deps");
  const bucket = addressBucket(clientAddress(c));
  const verdict = await deps.limiter.consume(bucket, perMinute(deps.rateLimitPerMinute));
  return verdict.ok ? undefined : tooManyRequests(c, verdict, FAILED);
}

/**
 * Budgets shared by every process on the database: one per organisation, whichever of its
 * keys is used; one per client address for calls without a key (failed keys spend from it in
 * `authenticate`); and self-registrations per address per hour.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get("deps");
  const actor = c.get("ctx").actor;
  const limit = perMinute(deps.rateLimitPerMinute);
  const bucket = "orgId" in actor ? `org:${actor.orgId}` : addressBucket(clientAddress(c));
  const verdict = await deps.limiter.take(bucket, limit);
  if (!verdict.ok) {
    return tooManyRequests(c, verdict, `rate limit of ${deps.rateLimitPerMinute}/min exceeded`);
  }
  if (c.req.method === "POST" && REGISTRATIONS.has(c.req.path)) {
    const hourly = deps.registrationsPerHour;
    const reg = await deps.limiter.consume(`reg:${clientAddress(c)}`, perHour(hourly));
    if (!reg.ok) {
      return tooManyRequests(c, reg, `at most ${hourly} registrations per hour from one address`);
    }
  }
  await next();
});
