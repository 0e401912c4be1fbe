import { createMiddleware } from "hono/factory";
import { claimIdempotencyKey, requestHash, settleIdempotencyKey } from "../../core/idempotency";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

const KEY = /^[\x21-\x7E]{1,255}$/;

/**
 * `Idempotency-Key` on a POST: the same key and body get the first response again (marked
 * `Idempotent-Replayed: true`); another body with the key is a 422; a retry while the first is
 * still running is a 409. Keys are scoped per organisation.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || key === undefined) return next();
  const actor = c.get("ctx")?.actor;
  if (!actor || !("orgId" in actor)) return next();
  if (!KEY.test(key)) {
    return errorResponse(
      c,
      "BAD_REQUEST",
      "Idempotency-Key must be 1–255 printable ASCII characters",
      [{ path: "headers.idempotency-key", message: "1–255 printable ASCII characters" }],
    );
  }
  const db = c.get("deps").db;
  const body = await c.req.text();
  const hash = requestHash(c.req.method, c.req.path, body);
  const claim = await claimIdempotencyKey(db, { orgId: actor.orgId, key, hash });
  if (claim.kind === "mismatch") {
    return errorResponse(
      c,
      "UNPROCESSABLE_ENTITY",
      "this Idempotency-Key was used with a different request body",
      [{ path: "headers.idempotency-key", message: "reused with another body" }],
      "IDEMPOTENCY_KEY_REUSED",
    );
  }
  if (claim.kind === "in_flight") {
    return errorResponse(
      c,
      "CONFLICT",
      "a request with this Idempotency-Key is still in flight; retry later",
      [],
      "IDEMPOTENCY_IN_FLIGHT",
    );
  }
  if (claim.kind === "replay") {
    c.header("idempotent-replayed", "true");
    return c.json(claim.body as object, claim.status as 200);
  }
  // The verb's transaction records its result under the key as it commits (core/context.ts).
  c.set("ctx", { ...c.get("ctx"), idempotency: { orgId: actor.orgId, key } });
  let settled = false;
  try {
    await next();
    const res = c.res;
    const text = await res.clone().text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    await settleIdempotencyKey(db, { orgId: actor.orgId, key, status: res.status, body: parsed });
    settled = true;
  } finally {
    if (!settled) {
      await settleIdempotencyKey(db, { orgId: actor.orgId, key, status: 500, body: null }).catch(
        () => {},
      );
    }
  }
});
