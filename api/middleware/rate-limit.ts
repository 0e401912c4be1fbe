import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Token bucket per API key (anonymous callers share one bucket per address), refilled
 * continuously at `perMinute`. Per process: a node is one process.
 */
export function rateLimit(perMinute: number) {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return createMiddleware<AppEnv>(async (c, next) => {
    const actor = c.get("ctx").actor;
    const key = "keyId" in actor ? actor.keyId : `anon:${clientAddress(c)}`;
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: perMinute, updated: now };
    b.tokens = Math.min(perMinute, b.tokens + (now - b.updated) * perMs);
    b.updated = now;
    if (b.tokens < 1) {
      buckets.set(key, b);
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      c.header("Retry-After", String(retryAfter));
      return errorResponse(c, "TOO_MANY_REQUESTS", `rate limit of ${perMinute}/min exceeded`);
    }
    b.tokens -= 1;
    buckets.set(key, b);
    if (buckets.size > 100_000) buckets.clear();
    await next();
  });
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // In-process requests (tests) have no socket.
    return "local";
  }
}
