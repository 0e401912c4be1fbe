import { createMiddleware } from "hono/factory";
import { recordAccess } from "../../core/reports/access";
import type { AppEnv } from "../env";

/** Routes whose reads by a regulator are recorded: records of parties and waybills, reports. */
const RECORD_ROUTES = /^\/v1\/(waybills|orgs|shippers|carriers|reports)(\/|$)/;

/**
 * After a regulator's successful read of a record or a report, records who read what with
 * which filters, in the audit trail. Done after the answer is built, so a refused read is not
 * recorded as a read.
 */
export const accessRecord = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method !== "GET" || c.res.status !== 200) return;
  const ctx = c.get("ctx");
  if (ctx?.actor.kind !== "regulator" || !RECORD_ROUTES.test(c.req.path)) return;
  const [, , entityType = "", entityId = "", ...rest] = c.req.path.split("/");
  await recordAccess(ctx, {
    route: `${c.req.method} ${c.req.path}`,
    entityType: rest.length > 0 ? `${entityType}/${rest.join("/")}` : entityType,
    entityId: entityId || "*",
    filters: c.req.query(),
  });
});
