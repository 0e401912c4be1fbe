import { and, eq, inArray } from "drizzle-orm";
import { type Mode, organizations, type Place } from "../../db/schema";
import type { Ctx } from "../context";
import { UnprocessableError, ValidationError } from "../errors";
import { type PlaceInput, resolveEnds } from "../marketplace/places";
import { type LoadInput, loadValues, requireVerifiedShipper } from "../marketplace/post-load";
import { withTransaction } from "../transaction";
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
  const actor = requireVerifiedShipper(ctx, "only shippers issue direct waybills");
  const pickupAt = new Date(input.pickupAt);
  const deliveryAt = new Date(input.deliveryAt);
  if (deliveryAt <= pickupAt) throw ValidationError.field("deliveryAt", "must be after pickupAt");
  const checked = checkedShipment(ctx, input);
  const legs = plannedStretches(ctx, input, checked);
  return withTransaction(ctx, async (tx) => {
    await requireContractedCarriers(tx, input, legs);
    const { waybill, legs: rows } = await issueWaybill(tx, {
      shipperId: actor.orgId,
      carrierId: input.carrierId,
      origin: checked.origin,
      destination: checked.destination,
      cargo: checked.cargo,
      price: input.price,
      legs: planLegs(input.carrierId, pickupAt, deliveryAt, legs),
    });
    return waybillView(waybill, rows, "sensitive", tx.nodeCode);
  });
}

/** Cargo and places checked by the load rules (HS chapter, UN number, known hubs). */
function checkedShipment(ctx: Ctx, input: DirectWaybillInput) {
  return loadValues(
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
}

interface Stretch {
  mode: Mode;
  from: Place;
  to: Place;
  departAt?: string;
  arriveAt?: string;
  carrierId: string;
}

/** The legs as given, or one leg of `mode` from origin to destination with the contracted carrier. */
function plannedStretches(
  ctx: Ctx,
  input: DirectWaybillInput,
  checked: { origin: Place; destination: Place },
): Stretch[] {
  if (input.legs) {
    return input.legs.map((l, i) => ({
      mode: l.mode,
      ...resolveEnds(ctx.network, `legs.${i}`, l),
      departAt: l.departAt,
      arriveAt: l.arriveAt,
      carrierId: l.carrierId ?? input.carrierId,
    }));
  }
  if (!input.mode) throw ValidationError.field("mode", "give a mode or legs");
  const { origin: from, destination: to } = checked;
  return [{ mode: input.mode, from, to, carrierId: input.carrierId }];
}

/** The contracted carrier and every leg's carrier: verified, operating the leg's mode. */
async function requireContractedCarriers(
  tx: Ctx,
  input: DirectWaybillInput,
  legs: readonly Stretch[],
): Promise<void> {
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
  check(input.carrierId, "carrierId");
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
}
