import { and, eq } from "drizzle-orm";
import { type Mode, organizations } from "../../db/schema";
import { type Ctx, requireOrgActor, withTransaction } from "../context";
import { ForbiddenError, UnprocessableError, ValidationError } from "../errors";
import { type PlaceInput, resolvePlace } from "../marketplace/places";
import { type LoadInput, loadValues } from "../marketplace/post-load";
import { insertWaybill, planLegs } from "./create";
import type { WaybillView } from "./view";
import { waybillView } from "./view";

export interface DirectWaybillInput {
  carrierId: string;
  origin: PlaceInput;
  destination: PlaceInput;
  cargo: LoadInput["cargo"];
  price: { amount: number; currency: string };
  mode?: Mode;
  legs?: { mode: Mode; from: PlaceInput; to: PlaceInput; departAt?: string; arriveAt?: string }[];
  pickupAt: string;
  deliveryAt: string;
}

/** `POST /v1/waybills`: a shipper contracts a verified carrier directly, without a tender. */
export async function createDirectWaybill(
  ctx: Ctx,
  input: DirectWaybillInput,
): Promise<WaybillView> {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "shipper") throw new ForbiddenError("only shippers issue direct waybills");
  if (actor.orgStatus !== "verified") {
    throw new ForbiddenError("the shipper is not verified yet", [], "SHIPPER_NOT_VERIFIED");
  }
  const pickupAt = new Date(input.pickupAt);
  const deliveryAt = new Date(input.deliveryAt);
  if (deliveryAt <= pickupAt) throw ValidationError.field("deliveryAt", "must be after pickupAt");
  // Reuse the load rules for cargo and places (HS chapter, UN number, known hubs).
  const checked = loadValues(
    { ...ctx, clock: { now: () => new Date(0) } },
    {
      origin: input.origin,
      destination: input.destination,
      cargo: input.cargo,
      pickupWindow: { from: input.pickupAt, to: input.pickupAt },
      deliverBy: input.deliveryAt,
      modes: input.mode ? [input.mode] : (input.legs ?? []).map((l) => l.mode),
      biddingClosesAt: input.pickupAt,
      awardRule: "manual",
    },
  );
  const legs = input.legs
    ? input.legs.map((l, i) => ({
        mode: l.mode,
        from: resolvePlace(`legs.${i}.from`, l.from),
        to: resolvePlace(`legs.${i}.to`, l.to),
        departAt: l.departAt,
        arriveAt: l.arriveAt,
      }))
    : input.mode
      ? [{ mode: input.mode, from: checked.origin, to: checked.destination }]
      : null;
  if (!legs) throw ValidationError.field("mode", "give a mode or legs");
  return withTransaction(ctx, async (tx) => {
    const [carrier] = await tx.db
      .select({ id: organizations.id, status: organizations.status, modes: organizations.modes })
      .from(organizations)
      .where(and(eq(organizations.id, input.carrierId), eq(organizations.kind, "carrier")));
    if (!carrier) {
      throw new UnprocessableError(
        `no carrier ${input.carrierId}`,
        [{ path: "carrierId", message: "unknown carrier" }],
        "CARRIER_NOT_FOUND",
      );
    }
    if (carrier.status !== "verified") {
      throw new UnprocessableError(
        "the carrier is not verified",
        [{ path: "carrierId", message: "not verified" }],
        "CARRIER_NOT_VERIFIED",
      );
    }
    for (const [i, l] of legs.entries()) {
      if (!carrier.modes.includes(l.mode)) {
        throw new UnprocessableError(
          `the carrier does not operate ${l.mode}`,
          [{ path: input.legs ? `legs.${i}.mode` : "mode", message: "not operated" }],
          "MODE_NOT_OPERATED",
        );
      }
    }
    const { waybill, legs: rows } = await insertWaybill(tx, {
      shipperId: actor.orgId,
      carrierId: carrier.id,
      origin: checked.origin,
      destination: checked.destination,
      cargo: checked.cargo,
      price: input.price,
      legs: planLegs(carrier.id, pickupAt, deliveryAt, legs),
    });
    return waybillView(waybill, rows, "sensitive");
  });
}
