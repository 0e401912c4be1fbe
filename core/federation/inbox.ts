import { eq } from "drizzle-orm";
import { insertInboxMessage, saveSyncState } from "../../db/queries/federation";
import {
  insertReceivedEvent,
  replaceReplicaLegs,
  upsertReplicaWaybill,
} from "../../db/queries/waybills";
import type { FederationPartner } from "../../db/schema/federation";
import { type Waybill, waybillEvents, waybillLegs, waybills } from "../../db/schema/waybills";
import type { Ctx, TxState } from "../context";
import { ConflictError, ValidationError } from "../errors";
import { markForReports } from "../reports/setup";
import { withTransaction } from "../transaction";
import { changeStatus, latestOccurrence } from "../waybills/events";
import { canTransition, fingerprint, replay } from "../waybills/lifecycle";
import { concernsPartner, waybillGeography } from "./agreement";
import { authenticateBatch, type SignedBatch } from "./inbox-auth";
import { shareWithPartners } from "./outbox";
import { PROTOCOL_VERSION } from "./vocabulary";
import { Batch, type Message, ReceivedEvent, ReceivedWaybill } from "./wire";

export interface InboxResult {
  accepted: number;
  duplicates: number;
  /** Events whose waybill has not arrived yet: not applied, to be sent again. */
  deferred: number;
}

type Tx = Ctx & { tx: TxState };

/** The batch, once its sender is known: the protocol first, then the shape, then the address. */
function parseBatch(ctx: Ctx, body: string): Batch {
  const raw: unknown = JSON.parse(body);
  const version =
    raw && typeof raw === "object" && "protocolVersion" in raw ? raw.protocolVersion : undefined;
  if (version !== PROTOCOL_VERSION) {
    throw new ConflictError(
      `protocol version ${String(version)} is not spoken here; this node speaks ${PROTOCOL_VERSION}`,
      [{ path: "protocolVersion", message: `expected ${PROTOCOL_VERSION}` }],
      "PROTOCOL_VERSION",
    );
  }
  const parsed = Batch.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ValidationError.field(issue?.path.join(".") || "body", issue?.message ?? "malformed");
  }
  if (parsed.data.to !== ctx.nodeCode) throw ValidationError.field("to", "is not this node");
  return parsed.data;
}

function recordOf<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  message: Message,
  index: number,
): T {
  const parsed = schema.safeParse(message.record);
  if (!parsed.success) {
    throw ValidationError.field(`messages.${index}.record`, `is not a ${message.type} record`);
  }
  return parsed.data;
}

/** The waybill's status as its whole event set says, written if it changed. */
async function settleStatus(tx: Tx, w: Waybill, eventType: Waybill["status"]): Promise<Waybill> {
  const events = await tx.db
    .select()
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, w.number));
  const { status } = replay(events);
  if (status === w.status) return w;
  await changeStatus(tx, w, status, eventType);
  return { ...w, status };
}

/**
 * The status once `event`, later than every event held before it (`latest`), joins them. The
 * status held is the replay of those events, and a replay ends with the latest event, so it
 * moves exactly as one transition would: no need to read and replay the whole set per message.
 * An event that lands among earlier ones is replayed with all of them.
 */
async function settleAfterEvent(
  tx: Tx,
  w: Waybill,
  event: { type: Waybill["status"]; occurredAt: Date },
  latest: Date | null,
): Promise<Waybill> {
  if (latest === null || event.occurredAt.getTime() <= latest.getTime()) {
    return settleStatus(tx, w, event.type);
  }
  if (!canTransition(w.status, event.type) || event.type === w.status) return w;
  await changeStatus(tx, w, event.type, event.type);
  return { ...w, status: event.type };
}

/** A partner's waybill: stored as a replica (never over one of this node's own). */
async function applyWaybill(
  tx: Tx,
  sender: FederationPartner,
  message: Message,
  record: ReceivedWaybill,
): Promise<void> {
  if (record.number !== message.waybill) {
    throw ValidationError.field("record.number", "differs from the message's waybill");
  }
  // A waybill's number carries the code of the node that issued it.
  if (!record.number.startsWith(`${message.homeNode}-`)) {
    throw ValidationError.field("homeNode", "is not the node that issued the waybill");
  }
  if (message.homeNode === tx.nodeCode) return;
  const { legs, ...fields } = record;
  const now = tx.clock.now();
  const saved = await upsertReplicaWaybill(tx.db, {
    ...fields,
    priceAmount: fields.priceAmount ?? null,
    priceCurrency: fields.priceCurrency ?? null,
    loadId: null,
    bidId: null,
    status: "created",
    homeNode: message.homeNode,
    updatedAt: now,
  });
  // Held here as this node's own: nothing of a partner's replaces it.
  if (!saved) return;
  await replaceReplicaLegs(tx.db, record.number, legs);
  const waybill = await settleStatus(tx, saved.waybill, saved.waybill.status);
  if (saved.inserted) {
    await shareWithPartners(tx, {
      waybill,
      legs: await tx.db
        .select()
        .from(waybillLegs)
        .where(eq(waybillLegs.waybillNumber, waybill.number)),
      items: [{ type: "waybill" }],
      origin: message.origin,
      receivedFrom: sender.code,
    });
  }
}

/** A partner's event, held once by its fingerprint; the status replayed from the whole set. */
async function applyEvent(
  tx: Tx,
  sender: FederationPartner,
  message: Message,
  record: ReceivedEvent,
): Promise<void> {
  const w = await lockWaybill(tx, message.waybill);
  if (!w) throw new Error(`waybill ${message.waybill} vanished inside the transaction`);
  const legs = await tx.db
    .select()
    .from(waybillLegs)
    .where(eq(waybillLegs.waybillNumber, w.number));
  // A partner records events only on waybills this node shares with it.
  const geography = waybillGeography(tx.network, { ...w, legs });
  if (!concernsPartner(sender.agreement, geography)) {
    throw ValidationError.field("waybill", `does not concern ${sender.code}`);
  }
  const content = {
    type: record.type,
    occurredAt: record.occurredAt,
    location: record.location ?? null,
    details: record.details ?? {},
  };
  const latest = await latestOccurrence(tx, w.number);
  const row = await insertReceivedEvent(tx.db, {
    waybillNumber: w.number,
    ...content,
    fingerprint: record.fingerprint ?? fingerprint(content),
    reportedBy: record.reportedBy ?? null,
    recordedAt: record.recordedAt ?? tx.clock.now(),
    recordedBy: record.recordedBy ?? null,
    signatureKid: record.signatureKid ?? null,
    signature: record.signature ?? null,
  });
  // Held already (from the sender or another partner): not applied nor forwarded again.
  if (!row) return;
  await markForReports(tx, [w.number]);
  const waybill = await settleAfterEvent(tx, w, content, latest);
  await shareWithPartners(tx, {
    waybill,
    legs,
    items: [{ type: "event", event: row }],
    origin: message.origin,
    receivedFrom: sender.code,
  });
}

async function lockWaybill(tx: Tx, number: string): Promise<Waybill | undefined> {
  const [w] = await tx.db.select().from(waybills).where(eq(waybills.number, number)).for("update");
  return w;
}

/**
 * Applies one message unless seen before. An event whose waybill has not arrived is left
 * unrecorded, so the sender's next try applies it.
 */
async function applyMessage(
  tx: Tx,
  sender: FederationPartner,
  message: Message,
  index: number,
): Promise<keyof InboxResult> {
  if (message.type === "event" && !(await lockWaybill(tx, message.waybill))) return "deferred";
  const first = await insertInboxMessage(tx.db, {
    messageId: message.id,
    sender: sender.code,
    waybillNumber: message.waybill,
    type: message.type,
    at: tx.clock.now(),
  });
  if (!first) return "duplicates";
  if (message.type === "waybill") {
    await applyWaybill(tx, sender, message, recordOf(ReceivedWaybill, message, index));
  } else {
    await applyEvent(tx, sender, message, recordOf(ReceivedEvent, message, index));
  }
  return "accepted";
}

/**
 * `POST /v1/federation/inbox`: authenticates the batch by its sender's keys, then applies its
 * messages in order in one transaction, each once: the inbox row and its effect commit
 * together, and a message seen before is acknowledged without change. An empty batch is the
 * sender's heartbeat, recorded as such.
 */
export async function receiveBatch(ctx: Ctx, signed: SignedBatch): Promise<InboxResult> {
  const sender = await authenticateBatch(ctx, signed);
  const batch = parseBatch(ctx, signed.body);
  // An empty batch is a heartbeat: the sender is alive and its keys still verify.
  if (batch.messages.length === 0) {
    await saveSyncState(ctx.db, sender.code, { lastHeartbeatAt: ctx.clock.now() });
    return { accepted: 0, duplicates: 0, deferred: 0 };
  }
  return applyMessages(ctx, sender, batch.messages);
}

/**
 * Applies messages from `sender` in order in one transaction, each once by its id: the path
 * of the inbox and of the catch-up pull alike.
 */
export function applyMessages(
  ctx: Ctx,
  sender: FederationPartner,
  messages: readonly Message[],
): Promise<InboxResult> {
  const system: Ctx = { ...ctx, actor: { kind: "system", name: `partner:${sender.code}` } };
  return withTransaction(system, async (tx) => {
    const result: InboxResult = { accepted: 0, duplicates: 0, deferred: 0 };
    for (const [i, message] of messages.entries()) {
      result[await applyMessage(tx, sender, message, i)]++;
    }
    return result;
  });
}
