import { type Ctx, requireOrgActor } from "../context";
import { ForbiddenError } from "../errors";

/** Keys, partners and agreements are changed by the node's admins only. */
export function requireFederationAdmin(ctx: Ctx, what: string): void {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "admin") throw new ForbiddenError(`only admins may ${what}`);
}

/**
 * Admins and regulators may read the partner registry (a regulator sees what is shared and
 * with whom); shippers and carriers may not.
 */
export function requirePartnerReader(ctx: Ctx): void {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "admin" && actor.kind !== "regulator") {
    throw new ForbiddenError("only admins and regulators may read partner nodes");
  }
}
