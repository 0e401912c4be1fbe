import { insertLoad } from "../../db/queries/marketplace";
import type { AwardRule, Cargo, Load, Mode } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, type OrgActor, requireOrgActor } from "../context";
import { ForbiddenError, ValidationError } from "../errors";
import { emitFeed } from "../feed/emit";
import { newId } from "../ids";
import { withTransaction } from "../transaction";
import { validateHsCode, validateUnNumber } from "../validation";
import { type PlaceInput, resolvePlace } from "./places";
import { type LoadView, loadView } from "./views";

export interface LoadInput {
  origin: PlaceInput;
  destination: PlaceInput;
  cargo: Cargo;
  pickupWindow: { from: string; to: string };
  deliverBy: string;
  modes: Mode[];
  reservePrice?: { amount: number; currency: string };
  biddingClosesAt: string;
  awardRule: AwardRule;
  /** May the shipper award before bidding closes? Default true, as before the field existed. */
  earlyAward?: boolean;
}

/** Turns a load body into row values, refusing the impossible with the offending field named. */
export function loadValues(ctx: Ctx, input: LoadInput) {
  const hs = validateHsCode(input.cargo.hsCode);
  if (!hs.ok) throw ValidationError.field("cargo.hsCode", hs.message);
  let dangerousGoods: LoadInput["cargo"]["dangerousGoods"];
  if (input.cargo.dangerousGoods) {
    const un = validateUnNumber(input.cargo.dangerousGoods.unNumber);
    if (!un.ok) throw ValidationError.field("cargo.dangerousGoods.unNumber", un.message);
    dangerousGoods = { unNumber: un.unNumber, class: input.cargo.dangerousGoods.class };
  }
  const origin = resolvePlace(ctx.network, "origin", input.origin);
  const destination = resolvePlace(ctx.network, "destination", input.destination);
  if (origin.lat === destination.lat && origin.lon === destination.lon) {
    throw ValidationError.field("destination", "must differ from origin");
  }
  const pickupFrom = new Date(input.pickupWindow.from);
  const pickupTo = new Date(input.pickupWindow.to);
  const deliverBy = new Date(input.deliverBy);
  const biddingClosesAt = new Date(input.biddingClosesAt);
  if (pickupTo < pickupFrom) {
    throw ValidationError.field("pickupWindow.to", "must not be before pickupWindow.from");
  }
  if (deliverBy <= pickupTo) {
    throw ValidationError.field(
      "deliverBy",
      "must be after the pickup window (pickup after delivery)",
    );
  }
  if (biddingClosesAt > pickupFrom) {
    throw ValidationError.field("biddingClosesAt", "must not be after the pickup window opens");
  }
  if (biddingClosesAt <= ctx.clock.now()) {
    throw ValidationError.field("biddingClosesAt", "must be in the future");
  }
  const cargo = { ...input.cargo, ...(dangerousGoods ? { dangerousGoods } : {}) };
  return {
    origin,
    destination,
    originHub: origin.hub ?? null,
    destinationHub: destination.hub ?? null,
    cargo,
    weightKg: cargo.weightKg,
    volumeM3: cargo.volumeM3,
    dgClass: dangerousGoods?.class ?? null,
    pickupFrom,
    pickupTo,
    deliverBy,
    modes: [...new Set(input.modes)],
    reserveAmount: input.reservePrice?.amount ?? null,
    reserveCurrency: input.reservePrice?.currency ?? null,
    biddingClosesAt,
    awardRule: input.awardRule,
    earlyAward: input.earlyAward ?? true,
  };
}

/** Schedules the closing job after commit, when a queue runs; the periodic sweep is the backstop. */
export function scheduleClosing(ctx: Ctx & { tx: { afterCommit: (() => unknown)[] } }, load: Load) {
  const jobs = ctx.jobs;
  if (!jobs) return;
  ctx.tx.afterCommit.push(() =>
    jobs.schedule({ kind: "load.close", loadId: load.id, at: load.biddingClosesAt }).catch(() => {
      // The sweep closes it a little later; a queue outage must not fail the request.
    }),
  );
}

/** The acting shipper, verified; `refusal` tells anyone else what only shippers do. */
export function requireVerifiedShipper(ctx: Ctx, refusal: string): OrgActor {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "shipper") throw new ForbiddenError(refusal);
  if (actor.orgStatus !== "verified") {
    throw new ForbiddenError("the shipper is not verified yet", [], "SHIPPER_NOT_VERIFIED");
  }
  return actor;
}

/** `POST /v1/loads`: a verified shipper posts cargo for carriers to bid on. */
export async function postLoad(ctx: Ctx, input: LoadInput): Promise<LoadView> {
  const actor = requireVerifiedShipper(ctx, "only shippers post loads");
  const values = loadValues(ctx, input);
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const row = await insertLoad(tx.db, {
      id: newId("ld"),
      shipperId: actor.orgId,
      ...values,
      createdAt: now,
      updatedAt: now,
    });
    recordAudit(tx, {
      action: "load.posted",
      entityType: "load",
      entityId: row.id,
      data: { shipperId: actor.orgId, ...input },
    });
    await emitFeed(tx, [
      {
        orgId: actor.orgId,
        type: "load.posted",
        entityType: "load",
        entityId: row.id,
        data: { loadId: row.id, biddingClosesAt: row.biddingClosesAt.toISOString() },
      },
    ]);
    scheduleClosing(tx, row);
    return loadView(row, actor);
  });
}
