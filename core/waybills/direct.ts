import { and, eq, inArray } from "drizzle-orm";
import { type Mode, organizations } from "../../db/schema";
import { type Ctx, requireOrgActor, withTransaction } from "../context";
import { ForbiddenError, UnprocessableError, ValidationError } from "../errors";
import { type PlaceInput, resolvePlace } from "../marketplace/places";
import { type LoadInput, loadValues } from "../marketplace/post-load";
import { issueWaybill, planLegs } from "./create";
import type { WaybillView } from "./view";
import { waybillView } from "./view";

export interface DirectWaybillInput {
  carrierId: string;
  origin: PlaceInput;
  destination: PlaceInput;
  cargo: LoadInput["cargo"];
  price: { amount: number; currency: string };
  mode?: Mode;
  legs?: {
    mode: Mode;
    from: PlaceInput;
    to: PlaceInput;
    departAt?: string;
    arriveAt?: string;
    /** The leg's own carrier (a relay across a border, a rail operator); default `carrierId`. */
    carrierId?: string;
  }[];
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
        from: resolvePlace(ctx.network, `legs.${i}.from`, l.from),
        to: resolvePlace(ctx.network, `legs.${i}.to`, l.to),
        departAt: l.departAt,
        arriveAt: l.arriveAt,
        carrierId: l.carrierId ?? input.carrierId,
      }))
    : input.mode
      ? [
          {
            mode: input.mode,
            from: checked.origin,
            to: checked.destination,
            carrierId: input.carrierId,
          },
        ]
      : null;
  if (!legs) throw ValidationError.field("mode", "give a mode or legs");
  return withTransaction(ctx, async (tx) => {
    // The contracted carrier and every leg's carrier: verified, operating the leg's mode.
    const ids = [...new Set([input.carrierId, ...legs.map((l) => l.carrierId)])];
    const found = await tx.db
      .select({ id: organizations.id, status: organizations.status, modes: organizations.modes })
      .from(organizations)
      .where(and(inArray(organizations.id, ids), eq(organizations.kind, "carrier")));
    const byId = new Map(found.map((c) => [c.id, c]));
    const pathOf = (i: number, field: "carrierId" | "mode") =>
      input.legs ? `legs.${i}.${field}` : field;
    const check = (id: string, path: string) => {
      const carrier = byId.get(id);
      if (!carrier) {
        throw new UnprocessableError(
          `no carrier ${id}`,
          [{ path, message: "unknown carrier" }],
          "CARRIER_NOT_FOUND",
        );
      }
      if (carrier.status !== "verified") {
        throw new UnprocessableError(
          `the carrier ${id} is not verified`,
          [{ path, message: "not verified" }],
          "CARRIER_NOT_VERIFIED",
        );
      }
      return carrier;
    };
    const carrier = check(input.carrierId, "carrierId");
    for (const [i, l] of legs.entries()) {
      const legCarrier = check(
        l.carrierId,
        l.carrierId === input.carrierId ? "carrierId" : pathOf(i, "carrierId"),
      );
      if (!legCarrier.modes.includes(l.mode)) {
        throw new UnprocessableError(
          `the carrier ${l.carrierId} does not operate ${l.mode}`,
          [{ path: pathOf(i, "mode"), message: "not operated" }],
          "MODE_NOT_OPERATED",
        );
      }
    }
    const { waybill, legs: rows } = await issueWaybill(tx, {
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
