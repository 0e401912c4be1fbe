import { insertRouteQuote } from "../../db/queries/routing";
import {
  type RouteRequest,
  RouteRequestError,
  type RouteResult,
  type RoutingEngine,
} from "../../routing/engine";
import { type Ctx, requireOrgActor } from "../context";
import { ForbiddenError, UnprocessableError, ValidationError } from "../errors";
import { newId } from "../ids";
import { withTransaction } from "../transaction";
import { syncLinkStatuses } from "./network";

export type QuoteInput = Omit<RouteRequest, "departAt"> & { departAt?: string };

export type Quote =
  Extract<RouteResult, { ok: true }> extends infer R
    ? Omit<R, "ok"> & { quoteId: string; createdAt: string }
    : never;

/**
 * Any verified organisation may ask for routes. The answer is stored as a quote (`rq_…`) that
 * bids and waybill legs can cite; "no route" is refused with NO_ROUTE and its reason.
 */
export async function quoteRoute(
  ctx: Ctx,
  input: { engine: RoutingEngine; request: QuoteInput },
): Promise<Quote> {
  const actor = requireOrgActor(ctx);
  if (actor.orgStatus !== "verified") {
    throw new ForbiddenError("only a verified organisation may request route quotes");
  }
  const now = ctx.clock.now();
  const request: RouteRequest = {
    ...input.request,
    departAt: input.request.departAt ?? now.toISOString(),
  };
  await syncLinkStatuses(ctx, input.engine);
  let result: RouteResult;
  try {
    result = input.engine.query(request);
  } catch (e) {
    if (e instanceof RouteRequestError) throw ValidationError.field(e.field, e.problem);
    throw e;
  }
  if (!result.ok) {
    const { reason, message, blockedBy } = result.noRoute;
    throw new UnprocessableError(
      `no route: ${message}`,
      [
        { path: "reason", message: reason },
        ...blockedBy.map((b) => ({ path: "blockedBy", message: b })),
      ],
      "NO_ROUTE",
    );
  }
  const { ok: _ok, ...answer } = result;
  const id = newId("rq", now.getTime());
  await withTransaction(ctx, (tx) =>
    insertRouteQuote(tx.db, {
      id,
      orgId: actor.orgId,
      request: JSON.parse(JSON.stringify(request)),
      result: JSON.parse(JSON.stringify(answer)),
      createdAt: now,
    }),
  );
  return { quoteId: id, createdAt: now.toISOString(), ...answer };
}
