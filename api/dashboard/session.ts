import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  closeSession,
  openKeySession,
  resolveSessionActor,
  SESSION_TTL_MS,
} from "../../core/admin/sessions";
import type { Actor } from "../../core/context";
import { authenticateApiKey } from "../../core/keys/authenticate";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { cameOverHttps } from "../middleware/client";
import { refuseSpentAddress, spendFailedAttempt } from "../middleware/rate-limit";

const SESSION_PATH = "/dashboard/session";
const COOKIE = "caravan_dashboard_session";
const ROLES = ["regulator", "admin"] as const;
const NEEDS = "the dashboard needs a regulator or admin key";

/**
 * The only calls the dashboard's cookie stands in for a key: reads of reports and of the
 * network's map. Reads only, so a forged cross-site request (which SameSite=Strict already
 * keeps the cookie from) could change nothing.
 */
const SESSION_READS = /^\/v1\/(reports\/[a-z-]+|network\/(hubs|links|corridors))$/;

export const sessionMayAuthenticate = (c: Context<AppEnv>) =>
  c.req.method === "GET" && getCookie(c, COOKIE) !== undefined && SESSION_READS.test(c.req.path);

/**
 * The actor of the dashboard session the request carries, or the refusal: an unknown or
 * expired session spends from the address's budget, as a wrong key does.
 */
export async function sessionActor(c: Context<AppEnv>): Promise<Actor | Response> {
  const spent = refuseSpentAddress(c);
  if (spent) return spent;
  const { db, clock } = c.get("deps");
  const actor = await resolveSessionActor(db, clock, getCookie(c, COOKIE) ?? "", ROLES);
  if (actor) return actor;
  const throttled = await spendFailedAttempt(c);
  if (throttled) return throttled;
  deleteCookie(c, COOKIE, { path: "/" });
  return errorResponse(c, "UNAUTHORIZED", "the dashboard session has expired; sign in again");
}

/**
 * A state-changing call must come from the dashboard's own page: browsers name the page's
 * origin on every POST and DELETE, so a form on another site cannot sign a browser in or out.
 */
function fromOwnPage(c: Context<AppEnv>): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin") return false;
  const origin = c.req.header("origin");
  return origin === undefined || origin === new URL(c.req.url).origin;
}

async function keyOf(c: Context<AppEnv>): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/json")) {
    const body = (await c.req.json().catch(() => ({}))) as { key?: unknown };
    return typeof body.key === "string" ? body.key : undefined;
  }
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  return typeof form.key === "string" ? form.key : undefined;
}

/** Exchanges a regulator's (or an admin's) key, sent in the body, for a session cookie. */
async function signIn(c: Context<AppEnv>): Promise<Response> {
  if (!fromOwnPage(c)) return errorResponse(c, "FORBIDDEN", "sign in from the dashboard page");
  const spent = refuseSpentAddress(c);
  if (spent) return spent;
  const key = (await keyOf(c))?.trim();
  const offered = key ? await authenticateApiKey(c.get("deps").db, key) : null;
  if (!offered) {
    const throttled = await spendFailedAttempt(c);
    if (throttled) return throttled;
    return errorResponse(c, "UNAUTHORIZED", "unknown or revoked key", [
      { path: "body.key", message: "expected a live API key" },
    ]);
  }
  if (offered.kind !== "regulator" && offered.kind !== "admin") {
    return errorResponse(c, "FORBIDDEN", NEEDS);
  }
  const { db, clock } = c.get("deps");
  const opened = await openKeySession(db, clock, { keyId: offered.keyId });
  setCookie(c, COOKIE, opened.id, {
    httpOnly: true,
    sameSite: "Strict",
    secure: cameOverHttps(c),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
  return c.json({ kind: offered.kind, expiresAt: opened.expiresAt.toISOString() }, 201);
}

/**
 * The dashboard's session: `POST` signs in with `{ key }` (JSON or a form), `GET` says who is
 * signed in, `DELETE` signs out. The key travels once, in a request body, never in an address.
 */
export function registerDashboardSession(app: Hono<AppEnv>): void {
  app.post(SESSION_PATH, signIn);
  app.get(SESSION_PATH, async (c) => {
    if (getCookie(c, COOKIE) === undefined) return errorResponse(c, "UNAUTHORIZED", NEEDS);
    const actor = await sessionActor(c);
    if (actor instanceof Response) return actor;
    c.header("Cache-Control", "no-store");
    return c.json({ kind: actor.kind }, 200);
  });
  app.delete(SESSION_PATH, async (c) => {
    if (!fromOwnPage(c)) return errorResponse(c, "FORBIDDEN", "sign out from the dashboard page");
    const id = getCookie(c, COOKIE);
    if (id !== undefined) await closeSession(c.get("deps").db, id);
    deleteCookie(c, COOKIE, { path: "/" });
    return c.body(null, 204);
  });
}
