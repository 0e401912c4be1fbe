import { and, asc, count, eq, lt, sql } from "drizzle-orm";
import { type Db, sqlOf } from "../client";
import {
  feedEvents,
  type Webhook,
  type WebhookDeliveryState,
  webhookDeliveries,
  webhooks,
} from "../schema";
import { FEED_EVENT_COLUMNS } from "./feed";

/** How many endpoints an organisation has registered. */
export async function countWebhooks(db: Db, orgId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhooks).where(eq(webhooks.orgId, orgId));
  return row?.n ?? 0;
}

/** Adds an endpoint; undefined when the organisation already registered this URL. */
export async function insertWebhook(
  db: Db,
  values: Pick<Webhook, "id" | "orgId" | "url" | "description" | "secret" | "createdAt">,
): Promise<Webhook | undefined> {
  const [row] = await db
    .insert(webhooks)
    .values({ ...values, updatedAt: values.createdAt })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Removes an organisation's endpoint (its deliveries go with it); undefined when not its own. */
export async function deleteWebhookRow(
  db: Db,
  params: { id: string; orgId: string },
): Promise<Webhook | undefined> {
  const [row] = await db
    .delete(webhooks)
    .where(and(eq(webhooks.id, params.id), eq(webhooks.orgId, params.orgId)))
    .returning();
  return row;
}

/** The active webhooks of these organisations. */
export async function activeWebhooksOf(
  db: Db,
  orgIds: string[],
): Promise<{ id: string; orgId: string }[]> {
  const rows = await sqlOf(db).unsafe(
    `select id, org_id from webhooks where org_id = any($1::text[]) and disabled_at is null`,
    [[...new Set(orgIds)]],
    { prepare: true },
  );
  return rows.map((r) => ({ id: String(r.id), orgId: String(r.org_id) }));
}

/** SQL expressions for each column of a new delivery, as `deliveriesInsertSql` composes them. */
export interface DeliveryExpressions {
  id: string;
  webhookId: string;
  feedSeq: string;
  /** An instant as text. */
  createdAt: string;
}

/**
 * The one text of a delivery insert: `insert into webhook_deliveries (…) select
 * <expressions> from <source> returning id`. Statements that queue deliveries in the same
 * round trip as their event (a CTE) compose it; everything else calls `insertWebhookDeliveries`.
 */
export function deliveriesInsertSql(source: string, e: DeliveryExpressions): string {
  return `insert into webhook_deliveries (id, webhook_id, feed_seq, created_at)
  select (${e.id})::text, (${e.webhookId})::text, (${e.feedSeq})::bigint,
    (${e.createdAt})::timestamptz
  from ${source}
  returning id`;
}

const INSERT_DELIVERIES = deliveriesInsertSql(
  `unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
    as d(id, webhook_id, feed_seq, created_at)`,
  { id: "d.id", webhookId: "d.webhook_id", feedSeq: "d.feed_seq", createdAt: "d.created_at" },
);

/** Adds pending deliveries, any number in one fixed statement: the one way in. */
export async function insertWebhookDeliveries(
  db: Db,
  rows: { id: string; webhookId: string; feedSeq: number; createdAt: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sqlOf(db).unsafe(
    INSERT_DELIVERIES,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.webhookId),
      rows.map((r) => String(r.feedSeq)),
      rows.map((r) => r.createdAt.toISOString()),
    ],
    { prepare: true },
  );
}

/** A delivery with its endpoint and its event: what sending it needs. */
export interface DeliveryToSend {
  status: WebhookDeliveryState;
  orgId: string;
  url: string;
  secret: string;
  disabledAt: Date | null;
  seq: number;
  txid: string;
  type: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export async function deliveryToSend(db: Db, id: string): Promise<DeliveryToSend | undefined> {
  const [row] = await db
    .select({
      status: webhookDeliveries.status,
      orgId: webhooks.orgId,
      url: webhooks.url,
      secret: webhooks.secret,
      disabledAt: webhooks.disabledAt,
      ...FEED_EVENT_COLUMNS,
    })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .innerJoin(feedEvents, eq(feedEvents.seq, webhookDeliveries.feedSeq))
    .where(eq(webhookDeliveries.id, id));
  return row;
}

/** Records one attempt on a delivery still pending; a settled one is never changed again. */
export async function recordDeliveryAttempt(
  db: Db,
  params: {
    id: string;
    status: WebhookDeliveryState;
    at: Date;
    responseStatus: number | null;
    error: string | null;
  },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status: params.status,
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastAttemptAt: params.at,
      lastResponseStatus: params.responseStatus,
      lastError: params.error,
      deliveredAt: params.status === "delivered" ? params.at : null,
    })
    .where(and(eq(webhookDeliveries.id, params.id), eq(webhookDeliveries.status, "pending")));
}

/** Ids of deliveries still pending `olderThanMs` after they were written, oldest first. */
export async function stalePendingDeliveries(
  db: Db,
  params: { olderThanMs: number; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lt(
          webhookDeliveries.createdAt,
          sql`now() - make_interval(secs => ${params.olderThanMs / 1000})`,
        ),
      ),
    )
    .orderBy(asc(webhookDeliveries.createdAt))
    .limit(params.limit);
  return rows.map((r) => r.id);
}
