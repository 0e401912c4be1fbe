import { type Db, sqlOf } from "../client";
import { feedEvents } from "../schema";

/** The columns a reader of an event gets: the feed's page and a webhook's body alike. */
export const FEED_EVENT_COLUMNS = {
  seq: feedEvents.seq,
  txid: feedEvents.txid,
  type: feedEvents.type,
  entityType: feedEvents.entityType,
  entityId: feedEvents.entityId,
  data: feedEvents.data,
  createdAt: feedEvents.createdAt,
};

/** A feed event as a change writes it; `seq` and `txid` are the database's. */
export interface NewFeedEvent {
  orgId: string;
  type: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

// One fixed text for one event or a fan-out of thousands: parallel arrays, no bind-parameter
// limit, one plan per connection.
const INSERT_EVENTS = `
  insert into feed_events (org_id, type, entity_type, entity_id, data, created_at)
  select e.org_id, e.type, e.entity_type, e.entity_id, e.data::jsonb, e.created_at::timestamptz
  from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    as e(org_id, type, entity_type, entity_id, data, created_at)
  returning seq, org_id`;

/** Writes events in the caller's transaction (the outbox): the one way into `feed_events`. */
export async function insertFeedEvents(
  db: Db,
  events: NewFeedEvent[],
): Promise<{ seq: number; orgId: string }[]> {
  if (events.length === 0) return [];
  const rows = await sqlOf(db).unsafe(
    INSERT_EVENTS,
    [
      events.map((e) => e.orgId),
      events.map((e) => e.type),
      events.map((e) => e.entityType),
      events.map((e) => e.entityId),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.createdAt.toISOString()),
    ],
    { prepare: true },
  );
  return rows.map((r) => ({ seq: Number(r.seq), orgId: String(r.org_id) }));
}
