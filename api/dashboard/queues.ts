import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context, Hono, Next } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { authenticateApiKey } from "../../core/keys/authenticate";
import { QUEUES, type Queues } from "../../workers/queues";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

const BASE = "/admin/queues";
const COOKIE = "caravan_admin_key";

/**
 * bull-board at /admin/queues, admins only. A browser cannot send a bearer header when it
 * navigates, so the key may also be given once as `?key=`; it is then kept in an HttpOnly cookie.
 */
export function mountQueueDashboard(app: Hono<AppEnv>, queues: Queues): void {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BASE);
  createBullBoard({
    // The adapter only reads and manages jobs; it accepts either backend's Queue.
    queues: QUEUES.map(
      (def) =>
        new BullMQAdapter(
          queues.get(def) as unknown as ConstructorParameters<typeof BullMQAdapter>[0],
        ),
    ),
    serverAdapter: adapter,
  });
  const adminOnly = async (c: Context<AppEnv>, next: Next) => {
    let actor = c.get("ctx").actor;
    const offered = c.req.query("key") ?? getCookie(c, COOKIE);
    if (actor.kind === "anonymous" && offered) {
      actor = (await authenticateApiKey(c.get("deps").db, offered)) ?? actor;
      if (actor.kind === "admin" && c.req.query("key")) {
        setCookie(c, COOKIE, offered, { httpOnly: true, sameSite: "Strict", path: BASE });
      }
    }
    if (actor.kind !== "admin") {
      const code = actor.kind === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN";
      return errorResponse(c, code, "the queue dashboard needs an admin key");
    }
    await next();
  };
  app.use(BASE, adminOnly);
  app.use(`${BASE}/*`, adminOnly);
  app.route(BASE, adapter.registerPlugin());
}
