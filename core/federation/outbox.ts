import {
  insertOutboxRows,
  type NewOutboxRow,
  selectActivePartners,
} from "../../db/queries/federation";
import type { FederationPartner } from "../../db/schema/federation";
import type { Waybill, WaybillEvent, WaybillLeg } from "../../db/schema/waybills";
import type { Ctx, TxState } from "../context";
import { newId } from "../ids";
import { concernsPartner, waybillGeography } from "./agreement";
import { PARTNER_RECORD_CLASSES, stripToClassification } from "./classification";

/** One record a change makes that partners may need. */
export type SharedItem = { type: "waybill" } | { type: "event"; event: WaybillEvent };

export interface ShareInput {
  waybill: Waybill;
  /** Or how to read them: only read when some partner is active. */
  legs: readonly WaybillLeg[] | ((ctx: Ctx) => Promise<WaybillLeg[]>);
  items: readonly SharedItem[];
  /** The active partners, when the caller read them already. */
  partners?: readonly FederationPartner[];
  /** The node where the records were first written: this node's code for its own changes. */
  origin: string;
  /** The partner they came from, if received: never sent back to it. */
  receivedFrom?: string;
}

/** The record as a partner under `partner`'s agreement receives it. */
function strippedRecord(
  partner: FederationPartner,
  input: ShareInput & { legs: readonly WaybillLeg[] },
  item: SharedItem,
): Record<string, unknown> {
  const max = partner.agreement.maxClassification;
  if (item.type === "event") {
    return stripToClassification(item.event, PARTNER_RECORD_CLASSES.event, max);
  }
  return {
    ...stripToClassification(input.waybill, PARTNER_RECORD_CLASSES.waybill, max),
    legs: input.legs.map((l) => stripToClassification(l, PARTNER_RECORD_CLASSES.leg, max)),
  };
}

/** Active partners the waybill concerns, except the records' origin and their sender. */
function recipients(
  ctx: Ctx,
  partners: readonly FederationPartner[],
  input: ShareInput & { legs: readonly WaybillLeg[] },
): FederationPartner[] {
  const geography = waybillGeography(ctx.network, {
    origin: input.waybill.origin,
    destination: input.waybill.destination,
    legs: input.legs,
    points: input.waybill.points,
  });
  return partners.filter(
    (p) =>
      p.code !== input.origin &&
      p.code !== input.receivedFrom &&
      concernsPartner(p.agreement, geography),
  );
}

/**
 * Writes, in the caller's transaction, one outbox row per partner the waybill concerns and
 * record its agreement shares, stripped to the agreement's classification; after commit each
 * row is queued under its own id (the sweep queues any the enqueue missed).
 */
export async function shareWithPartners(
  ctx: Ctx & { tx: TxState },
  input: ShareInput,
): Promise<number> {
  const partners = input.partners ?? (await selectActivePartners(ctx.db));
  if (partners.length === 0 || !ctx.nodeCode) return 0;
  const legs = typeof input.legs === "function" ? await input.legs(ctx) : input.legs;
  const rows = outboxRows(ctx, partners, { ...input, legs });
  await writeOutbox(ctx, rows);
  return rows.length;
}

/**
 * The outbox rows that share `input` with `partners` (the active ones, read by the caller):
 * one per partner the waybill concerns and record its agreement shares. Built in memory, so
 * a caller sharing many records reads the partners once and writes all rows at once.
 */
export function outboxRows(
  ctx: Ctx,
  partners: readonly FederationPartner[],
  input: ShareInput & { legs: readonly WaybillLeg[] },
): NewOutboxRow[] {
  if (partners.length === 0 || !ctx.nodeCode) return [];
  const homeNode = input.waybill.homeNode ?? ctx.nodeCode;
  const now = ctx.clock.now();
  const rows: NewOutboxRow[] = [];
  for (const partner of recipients(ctx, partners, input)) {
    for (const item of input.items) {
      if (!partner.agreement.recordTypes.includes(item.type)) continue;
      rows.push({
        id: newId("fo", now.getTime()),
        partner: partner.code,
        waybillNumber: input.waybill.number,
        type: item.type,
        homeNode,
        origin: input.origin,
        record: strippedRecord(partner, input, item),
        createdAt: now,
      });
    }
  }
  return rows;
}

/** Inserts rows `outboxRows` built (in their order) and queues their delivery after commit. */
export async function writeOutbox(
  ctx: Ctx & { tx: TxState },
  rows: readonly NewOutboxRow[],
): Promise<void> {
  await insertOutboxRows(ctx.db, rows);
  queueDeliveries(ctx, rows);
}

/**
 * After commit, queues one delivery job per outbox row under the row's id. A queue outage
 * does not fail the change: the sweep queues whatever is still pending.
 */
export function queueDeliveries(
  ctx: Ctx & { tx: TxState },
  rows: readonly { id: string; partner: string }[],
): void {
  const jobs = ctx.jobs;
  if (!jobs || rows.length === 0) return;
  ctx.tx.afterCommit.push(async () => {
    const queued = rows.map((r) =>
      jobs.schedule({ kind: "federation.deliver", outboxId: r.id, partner: r.partner }),
    );
    await Promise.all(queued).catch(() => {});
  });
}
