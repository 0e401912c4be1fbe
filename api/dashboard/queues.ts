import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono, type Next } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { openKeySession, resolveAdminSession, SESSION_TTL_MS } from "../../core/admin/sessions";
import { authenticateApiKey } from "../../core/keys/authenticate";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { cameOverHttps } from "../middleware/client";
import { refuseSpentAddress, spendFailedAttempt } from "../middleware/rate-limit";

const BASE = "/admin/queues";
const COOKIE = "caravan_admin_session";
/** Earlier versions kept the admin key itself in this cookie; it is cleared on sight. */
const OLD_COOKIE = "caravan_admin_key";

/** A queue of either backend, as the composition root hands it over (the api knows no workers). */
interface DashboardQueue {
  readonly name: string;
}

/**
 * bull-board at /admin/queues, admins only. A browser cannot send a bearer header when it
 * navigates, so the key may be given once as `?key=`: it is exchanged for a session id in an
 * HttpOnly cookie (the key itself never goes into a cookie) and the browser is sent on to the
 * address without the key, so it stays out of history and logs.
 */
export function mountQueueDashboard(app: Hono<AppEnv>, queues: readonly DashboardQueue[]): void {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BASE);
  createBullBoard({
    // The adapter only reads and manages jobs; it accepts either backend's Queue.
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue as unknown as ConstructorParameters<typeof BullMQAdapter>[0]),
    ),
    serverAdapter: adapter,
  });
  // bull-board's own routes live in an app of their own: on the main app their patterns would
  // make hono fall back from its RegExpRouter to the slower TrieRouter for every request.
  const board = new Hono();
  board.route(BASE, adapter.registerPlugin());
  const serve = async (c: Context<AppEnv>) => {
    const res = await board.fetch(c.req.raw, c.env);
    return res.status === 404
      ? errorResponse(c, "NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)
      : res;
  };
  app.use(BASE, adminOnly);
  app.use(`${BASE}/*`, adminOnly);
  app.all(BASE, serve);
  app.all(`${BASE}/*`, serve);
}

async function adminOnly(c: Context<AppEnv>, next: Next) {
  const { db, clock } = c.get("deps");
  if (getCookie(c, OLD_COOKIE) !== undefined) deleteCookie(c, OLD_COOKIE, { path: BASE });
  const actor = c.get("ctx").actor;
  if (actor.kind === "admin") return next();
  if (actor.kind !== "anonymous") {
    return errorResponse(c, "FORBIDDEN", "the queue dashboard needs an admin key");
  }
  const key = c.req.query("key");
  const session = getCookie(c, COOKIE);
  if (key === undefined && session === undefined) {
    return errorResponse(c, "UNAUTHORIZED", "the queue dashboard needs an admin key");
  }
  const spent = refuseSpentAddress(c);
  if (spent) return spent;
  if (key !== undefined) {
    const offered = await authenticateApiKey(db, key);
    if (offered?.kind === "admin") {
      const opened = await openKeySession(db, clock, { keyId: offered.keyId });
      setCookie(c, COOKIE, opened.id, {
        httpOnly: true,
        sameSite: "Strict",
        secure: cameOverHttps(c),
        path: "/admin",
        maxAge: SESSION_TTL_MS / 1000,
      });
      return c.redirect(BASE, 303);
    }
    const throttled = offered ? undefined : await spendFailedAttempt(c);
    if (throttled) return throttled;
    return offered
      ? errorResponse(c, "FORBIDDEN", "the queue dashboard needs an admin key")
      : errorResponse(c, "UNAUTHORIZED", "the queue dashboard needs an admin key");
  }
  if (session !== undefined && (await resolveAdminSession(db, clock, session))) return next();
  const throttled = await spendFailedAttempt(c);
  if (throttled) return throttled;
  deleteCookie(c, COOKIE, { path: "/admin" });
  return errorResponse(c, "UNAUTHORIZED", "the dashboard session has expired; sign in again");
}
