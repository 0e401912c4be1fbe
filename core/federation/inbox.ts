import type { NewOutboxRow } from "../../db/queries/federation";
import {
  insertInboxMessages,
  saveSyncState,
  selectActivePartners,
} from "../../db/queries/federation";
import {
  insertReceivedEvents,
  lockWaybills,
  type ReceivedWaybillEvent,
  replaceReplicaLegs,
  selectEventsOf,
  setWaybillStatuses,
  upsertReplicaWaybill,
} from "../../db/queries/waybills";
import type { FederationPartner } from "../../db/schema/federation";
import type { Waybill, WaybillEvent, WaybillLeg } from "../../db/schema/waybills";
import type { Ctx, TxState } from "../context";
import { ConflictError, ValidationError } from "../errors";
import { emitFeed, type FeedItem } from "../feed/emit";
import { markForReports } from "../reports/setup";
import { withTransaction } from "../transaction";
import { partyEvents } from "../waybills/create";
import { changeStatus } from "../waybills/events";
import { canTransition, fingerprint, replay, type TrackingEvent } from "../waybills/lifecycle";
import { concernsPartner, waybillGeography } from "./agreement";
import { authenticateBatch, type SignedBatch } from "./inbox-auth";
import { outboxRows, writeOutbox } from "./outbox";
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
): T | ValidationError {
  const parsed = schema.safeParse(message.record);
  if (parsed.success) return parsed.data;
  return ValidationError.field(`messages.${index}.record`, `is not a ${message.type} record`);
}

/** A message and its place in the batch. */
interface Indexed {
  index: number;
  message: Message;
}

/** A waybill the batch names, locked: where the batch has moved it so far. */
interface Held {
  waybill: Waybill;
  legs: WaybillLeg[];
  /** The latest occurrence among the events it holds; null while it holds none. */
  latest: Date | null;
  /** Its events, once a replay needed them (then kept up to date); [] while it holds none. */
  events: TrackingEvent[] | undefined;
  /** Its status was moved by the batch and is still to be written. */
  moved: boolean;
  /** It gained an event in this batch: this node's reports must count it again. */
  gained: boolean;
  /** Whether it concerns the sender, once asked (until its legs change). */
  concerns: boolean | undefined;
}

/** A batch as it is applied: what it holds, and what it writes once at the end. */
interface Application {
  tx: Tx;
  sender: FederationPartner;
  now: Date;
  partners: FederationPartner[];
  held: Map<string, Held>;
  /** Messages this batch gave an inbox row, by id. */
  applied: Set<string>;
  /** Events (waybill and fingerprint) this batch inserted or found held already. */
  events: Set<string>;
  outbox: NewOutboxRow[];
  feed: FeedItem[];
  result: InboxResult;
  /** The refusal of the earliest invalid message: the one applying in order would meet. */
  refusal: { index: number; error: ValidationError } | undefined;
}

function refuse(app: Application, index: number, error: ValidationError): void {
  if (!app.refusal || index < app.refusal.index) app.refusal = { index, error };
}

function heldOf(waybill: Waybill, legs: WaybillLeg[], latest: Date | null): Held {
  const events = latest === null ? [] : undefined;
  return { waybill, legs, latest, events, moved: false, gained: false, concerns: undefined };
}

/** Locks these waybills and reads what applying events needs: one round trip. */
async function hold(app: Application, numbers: readonly string[]): Promise<void> {
  const locked = await lockWaybills(app.tx.db, numbers);
  const legs = new Map<string, WaybillLeg[]>();
  for (const l of locked.legs) {
    const of = legs.get(l.waybillNumber);
    if (of) of.push(l);
    else legs.set(l.waybillNumber, [l]);
  }
  for (const w of locked.waybills) {
    app.held.set(
      w.number,
      heldOf(w, legs.get(w.number) ?? [], locked.latest.get(w.number) ?? null),
    );
  }
}

/** Level by level, in message order within a level. */
interface Level {
  waybills: Indexed[];
  events: Indexed[];
}

/**
 * The batch in levels: a waybill's events before any waybill message for it are level 0; its
 * first waybill message and the events after it, level 1; and so on. Levels apply one after
 * the other, so each waybill's messages keep their order while many waybills apply together.
 */
function levelsOf(messages: readonly Message[]): Level[] {
  const reached = new Map<string, number>();
  const levels: Level[] = [];
  for (const [index, message] of messages.entries()) {
    const level = (reached.get(message.waybill) ?? 0) + (message.type === "waybill" ? 1 : 0);
    reached.set(message.waybill, level);
    levels[level] ??= { waybills: [], events: [] };
    const at = levels[level];
    (message.type === "waybill" ? at.waybills : at.events).push({ index, message });
  }
  return levels;
}

/** Gives each message not seen before its inbox row (one statement); returns those. */
async function markApplied(app: Application, messages: readonly Indexed[]): Promise<Indexed[]> {
  const fresh: Indexed[] = [];
  const ids = new Set<string>();
  for (const m of messages) {
    if (app.applied.has(m.message.id) || ids.has(m.message.id)) app.result.duplicates++;
    else {
      ids.add(m.message.id);
      fresh.push(m);
    }
  }
  const marked = await insertInboxMessages(
    app.tx.db,
    app.sender.code,
    fresh.map(({ message }) => ({
      messageId: message.id,
      waybillNumber: message.waybill,
      type: message.type,
    })),
    app.now,
  );
  const firsts = fresh.filter((m) => marked.has(m.message.id));
  for (const m of firsts) app.applied.add(m.message.id);
  app.result.accepted += firsts.length;
  app.result.duplicates += fresh.length - firsts.length;
  return firsts;
}

/** A partner's waybill: stored as a replica (never over one of this node's own). */
async function applyWaybill(app: Application, { index, message }: Indexed): Promise<void> {
  const { tx, sender } = app;
  const record = recordOf(ReceivedWaybill, message, index);
  if (record instanceof ValidationError) return refuse(app, index, record);
  if (record.number !== message.waybill) {
    return refuse(
      app,
      index,
      ValidationError.field("record.number", "differs from the message's waybill"),
    );
  }
  // A waybill's number carries the code of the node that issued it.
  if (!record.number.startsWith(`${message.homeNode}-`)) {
    return refuse(
      app,
      index,
      ValidationError.field("homeNode", "is not the node that issued the waybill"),
    );
  }
  if (message.homeNode === tx.nodeCode) return;
  const { legs, ...fields } = record;
  const saved = await upsertReplicaWaybill(tx.db, {
    ...fields,
    priceAmount: fields.priceAmount ?? null,
    priceCurrency: fields.priceCurrency ?? null,
    loadId: null,
    bidId: null,
    status: "created",
    homeNode: message.homeNode,
    updatedAt: app.now,
  });
  // Held here as this node's own: nothing of a partner's replaces it. (Locked now if it
  // arrived from elsewhere since the batch began.)
  if (!saved) {
    if (!app.held.has(record.number)) await hold(app, [record.number]);
    return;
  }
  // A waybill inserted just now holds no events yet.
  const [legsHeld, events] = await Promise.all([
    replaceReplicaLegs(tx.db, record.number, legs),
    saved.inserted ? Promise.resolve([]) : selectEventsOf(tx.db, [record.number]),
  ]);
  const status = replay(events).status;
  // Written now, as before the batching: a waybill message is rare and applies alone.
  const was = saved.waybill.status;
  if (status !== was) await changeStatus(tx, saved.waybill, status, was);
  const waybill = { ...saved.waybill, status };
  const latest = events.reduce<Date | null>(
    (l, e) => (l && l >= e.occurredAt ? l : e.occurredAt),
    null,
  );
  app.held.set(waybill.number, { ...heldOf(waybill, legsHeld, latest), events });
  if (saved.inserted) {
    app.outbox.push(
      ...outboxRows(tx, app.partners, {
        waybill,
        legs: legsHeld,
        items: [{ type: "waybill" }],
        origin: message.origin,
        receivedFrom: sender.code,
      }),
    );
  }
}

/** An event to insert, once its message is applied and found valid. */
interface Candidate {
  message: Message;
  held: Held;
  key: string;
  event: ReceivedWaybillEvent;
}

const eventKey = (waybill: string, fp: string) => `${waybill} ${fp}`;

/** The event a message brings, unless invalid (refused) or met already in this batch. */
function candidateOf(app: Application, { index, message }: Indexed): Candidate | undefined {
  const record = recordOf(ReceivedEvent, message, index);
  if (record instanceof ValidationError) return void refuse(app, index, record);
  const held = app.held.get(message.waybill);
  if (!held) throw new Error(`waybill ${message.waybill} vanished inside the transaction`);
  // A partner records events only on waybills this node shares with it.
  held.concerns ??= concernsPartner(
    app.sender.agreement,
    waybillGeography(app.tx.network, { ...held.waybill, legs: held.legs }),
  );
  if (!held.concerns) {
    return void refuse(
      app,
      index,
      ValidationError.field("waybill", `does not concern ${app.sender.code}`),
    );
  }
  const content = {
    type: record.type,
    occurredAt: record.occurredAt,
    location: record.location ?? null,
    details: record.details ?? {},
  };
  const fp = record.fingerprint ?? fingerprint(content);
  const key = eventKey(message.waybill, fp);
  // Held already: the first of the two applied it.
  if (app.events.has(key)) return undefined;
  app.events.add(key);
  const event: ReceivedWaybillEvent = {
    waybillNumber: message.waybill,
    ...content,
    fingerprint: fp,
    reportedBy: record.reportedBy ?? null,
    recordedAt: record.recordedAt ?? app.now,
    recordedBy: record.recordedBy ?? null,
    signatureKid: record.signatureKid ?? null,
    signature: record.signature ?? null,
  };
  return { message, held, key, event };
}

/**
 * Waybills whose status some candidate must replay (it is not later than every event held)
 * and whose events are not known yet. Events held before now are read for these only.
 */
function toReplay(candidates: readonly Candidate[]): string[] {
  const latest = new Map<string, number>();
  const out = new Set<string>();
  for (const { held, event } of candidates) {
    if (held.events || held.latest === null) continue;
    const number = held.waybill.number;
    const at = latest.get(number) ?? held.latest.getTime();
    if (event.occurredAt.getTime() <= at) out.add(number);
    latest.set(number, Math.max(at, event.occurredAt.getTime()));
  }
  return [...out];
}

/**
 * The status once `event` (just inserted) joins the events held. Later than all of them, it
 * moves the status by one transition, as a replay ending with it would; otherwise the whole
 * set is replayed. Then the event is shared on.
 */
function settle(app: Application, { message, held }: Candidate, event: WaybillEvent): void {
  const w = held.waybill;
  const later = held.latest !== null && event.occurredAt.getTime() > held.latest.getTime();
  held.gained = true;
  held.events?.push(event);
  if (later || held.latest === null) held.latest = event.occurredAt;
  let status = w.status;
  if (!later) {
    if (!held.events) throw new Error(`events of ${w.number} were not read for a replay`);
    status = replay(held.events).status;
  } else if (canTransition(w.status, event.type)) {
    status = event.type;
  }
  if (status !== w.status) {
    // As `changeStatus` tells them: the parties of this node's own waybills only.
    if (w.homeNode === null) {
      const data = { number: w.number, from: w.status, to: status, eventType: event.type };
      app.feed.push(...partyEvents(w, held.legs, "waybill.status_changed", data));
    }
    held.waybill = { ...w, status };
    held.moved = true;
  }
  app.outbox.push(
    ...outboxRows(app.tx, app.partners, {
      waybill: held.waybill,
      legs: held.legs,
      items: [{ type: "event", event }],
      origin: message.origin,
      receivedFrom: app.sender.code,
    }),
  );
}

/**
 * Events, all at once: those whose waybill is not held are deferred (no inbox row), the
 * rest marked applied, inserted in one statement, and settled in message order in memory.
 */
async function applyEvents(app: Application, messages: readonly Indexed[]): Promise<void> {
  const present = messages.filter((m) => app.held.has(m.message.waybill));
  app.result.deferred += messages.length - present.length;
  const applied = await markApplied(app, present);
  const candidates = applied.flatMap((m) => candidateOf(app, m) ?? []);
  if (candidates.length === 0) return;
  const replays = toReplay(candidates);
  const [before, inserted] = await Promise.all([
    replays.length > 0 ? selectEventsOf(app.tx.db, replays) : Promise.resolve([]),
    insertReceivedEvents(
      app.tx.db,
      candidates.map((c) => c.event),
    ),
  ]);
  // Sent together, the read may run before or after the insert: keep only what it found held.
  const insertedIds = new Set(inserted.map((e) => e.id));
  for (const number of replays) {
    const held = app.held.get(number);
    if (held) held.events = [];
  }
  for (const e of before) {
    if (!insertedIds.has(e.id)) app.held.get(e.waybillNumber)?.events?.push(e);
  }
  const byKey = new Map(inserted.map((e) => [eventKey(e.waybillNumber, e.fingerprint), e]));
  for (const c of candidates) {
    const event = byKey.get(c.key);
    // Not inserted: the waybill held it already (from the sender or another partner).
    if (event) settle(app, c, event);
  }
}

/**
 * What the batch changed, written at once: statuses, outbox rows, feed events, and the marks
 * that make the reports count this node's own waybills again (partners' are theirs to report).
 */
async function flush(app: Application): Promise<void> {
  const held = [...app.held.values()];
  const moved = held.filter((h) => h.moved);
  const reported = held.filter((h) => h.gained && h.waybill.homeNode === null);
  await Promise.all([
    reported.length > 0
      ? markForReports(
          app.tx,
          reported.map((h) => h.waybill.number),
        )
      : undefined,
    setWaybillStatuses(
      app.tx.db,
      moved.map((h) => ({ number: h.waybill.number, status: h.waybill.status })),
      app.now,
    ),
    writeOutbox(app.tx, app.outbox),
    emitFeed(app.tx, app.feed),
  ]);
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
 * Applies messages from `sender` in one transaction, each once by its id: the path of the
 * inbox and of the catch-up pull alike. The effect is that of applying them one by one in
 * order, in a handful of statements: the waybills named are locked and read at once, each
 * level's inbox rows and events written in one statement each, statuses settled in memory,
 * and statuses, outbox rows and feed events written together at the end. An invalid message
 * refuses the batch (naming the first one), and nothing is written.
 */
export function applyMessages(
  ctx: Ctx,
  sender: FederationPartner,
  messages: readonly Message[],
): Promise<InboxResult> {
  const system: Ctx = { ...ctx, actor: { kind: "system", name: `partner:${sender.code}` } };
  return withTransaction(system, async (tx) => {
    const app: Application = {
      tx,
      sender,
      now: tx.clock.now(),
      partners: [],
      held: new Map(),
      applied: new Set(),
      events: new Set(),
      outbox: [],
      feed: [],
      result: { accepted: 0, duplicates: 0, deferred: 0 },
      refusal: undefined,
    };
    const numbers = [...new Set(messages.map((m) => m.waybill))];
    [app.partners] = await Promise.all([selectActivePartners(tx.db), hold(app, numbers)]);
    for (const level of levelsOf(messages)) {
      if (!level) continue;
      for (const m of await markApplied(app, level.waybills)) await applyWaybill(app, m);
      await applyEvents(app, level.events);
    }
    if (app.refusal) throw app.refusal.error;
    await flush(app);
    return app.result;
  });
}
