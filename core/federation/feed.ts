import { selectOutboxFeed } from "../../db/queries/federation";
import type { Classification, FieldClassification } from "../../db/schema/classification";
import type { FederationOutboxRow, FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { ValidationError } from "../errors";
import { PARTNER_RECORD_CLASSES, stripToClassification } from "./classification";
import { wireMessage } from "./deliver";
import { authenticateSigned } from "./inbox-auth";
import { PROTOCOL_VERSION } from "./vocabulary";
import type { Message } from "./wire";

/**
 * A row is passed by the cursor only once it is this old: outbox rows of different waybills
 * may commit out of `seq` order, and a younger row may still have an older neighbour on its
 * way. Younger rows are served, and served again next time (applied once by their id).
 */
const SETTLE_MS = 30_000;
export const FEED_MAX_LIMIT = 500;

export interface FeedPage {
  protocolVersion: string;
  from: string;
  to: string;
  messages: Message[];
  nextCursor: string;
}

function encodeFeedCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString("base64url");
}

function decodeFeedCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const match = /^s:(\d{1,18})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1]) throw ValidationError.field("since", "is not a cursor this feed gave");
  return Number(match[1]);
}

/** The record as the agreement shares it today: stripped again, in case it narrowed since. */
function restrip(row: FederationOutboxRow, max: Classification): Record<string, unknown> {
  const strip = (r: Record<string, unknown>, classes: object) =>
    stripToClassification(r, classes as FieldClassification<Record<string, unknown>>, max);
  if (row.type === "event") return strip(row.record, PARTNER_RECORD_CLASSES.event);
  const { legs, ...waybill } = row.record;
  return {
    ...strip(waybill, PARTNER_RECORD_CLASSES.waybill),
    legs: (Array.isArray(legs) ? legs : []).map((l: Record<string, unknown>) =>
      strip(l, PARTNER_RECORD_CLASSES.leg),
    ),
  };
}

/** One page of what this node wrote for `partner`, as the inbox batches carry it. */
async function feedPage(
  ctx: Ctx,
  partner: FederationPartner,
  input: { since?: string; limit: number },
): Promise<FeedPage> {
  const afterSeq = decodeFeedCursor(input.since);
  const { recordTypes, maxClassification } = partner.agreement;
  const rows =
    recordTypes.length === 0
      ? []
      : await selectOutboxFeed(ctx.db, partner.code, {
          afterSeq,
          limit: Math.min(input.limit, FEED_MAX_LIMIT),
          types: recordTypes,
        });
  const from = ctx.nodeCode ?? "";
  const settled = ctx.clock.now().getTime() - SETTLE_MS;
  let next = afterSeq;
  for (const r of rows) {
    if (r.createdAt.getTime() > settled) break;
    next = r.seq;
  }
  return {
    protocolVersion: PROTOCOL_VERSION,
    from,
    to: partner.code,
    messages: rows.map((r) => ({
      ...wireMessage(from, r),
      record: restrip(r, maxClassification),
    })),
    nextCursor: encodeFeedCursor(next),
  };
}

/**
 * `GET /v1/federation/feed`: the partner that signed the request (Standard Webhooks headers
 * over `{id}.{timestamp}.{path and query}`, its code in `caravan-node`) reads what this node
 * wrote for it after `since`, scoped and stripped by its agreement.
 */
export async function readPartnerFeed(
  ctx: Ctx,
  input: {
    id: string | undefined;
    timestamp: string | undefined;
    signature: string | undefined;
    sender: string | undefined;
    pathAndQuery: string;
    since?: string;
    limit: number;
  },
): Promise<FeedPage> {
  const partner = await authenticateSigned(ctx, { ...input, payload: input.pathAndQuery });
  return feedPage(ctx, partner, input);
}
