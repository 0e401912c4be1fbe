import { z } from "zod";
import { saveSyncState, selectActivePartners, selectSyncState } from "../../db/queries/federation";
import type { FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { egressRequest, PUBLIC_ONLY } from "../egress";
import { newId } from "../ids";
import { signatureHeader } from "./deliver";
import { FEED_MAX_LIMIT } from "./feed";
import { applyMessages } from "./inbox";
import { PROTOCOL_VERSION } from "./vocabulary";
import { Batch } from "./wire";

const TIMEOUT_MS = 10_000;
/** A page of 500 messages stays well under this. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** Pages one pull reads from one partner before it waits for the next run. */
const MAX_PAGES = 20;

const FeedPageBody = Batch.extend({ nextCursor: z.string().min(1).max(200) });

export type PullOutcome = { partner: string; applied: number; duplicates: number; error?: string };

/** One signed GET of the partner's feed after `since`. */
async function fetchPage(ctx: Ctx, partner: FederationPartner, since: string | null) {
  const query = new URLSearchParams({ limit: String(FEED_MAX_LIMIT) });
  if (since) query.set("since", since);
  const pathAndQuery = `/v1/federation/feed?${query.toString()}`;
  const id = newId("fp");
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  const res = await egressRequest(ctx.egress ?? PUBLIC_ONLY, `${partner.baseUrl}${pathAndQuery}`, {
    method: "GET",
    timeoutMs: TIMEOUT_MS,
    maxBodyBytes: MAX_PAGE_BYTES,
    headers: {
      accept: "application/json",
      "user-agent": "caravan-federation/1",
      "caravan-node": ctx.nodeCode ?? "",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signatureHeader(ctx, `${id}.${timestamp}.${pathAndQuery}`),
    },
  });
  if (res.status !== 200) throw new Error(`partner feed answered ${res.status}`);
  const page = FeedPageBody.parse(JSON.parse(res.body ?? ""));
  if (page.protocolVersion !== PROTOCOL_VERSION) {
    throw new Error(`partner feed speaks ${page.protocolVersion}`);
  }
  if (page.from !== partner.code || page.to !== ctx.nodeCode) {
    throw new Error("partner feed is addressed wrongly");
  }
  return page;
}

/**
 * Reads the partner's feed from the cursor kept for it and applies each page through the
 * inbox path (each message once by its id); the cursor moves only past applied pages.
 */
async function pullFrom(ctx: Ctx, partner: FederationPartner): Promise<PullOutcome> {
  const outcome: PullOutcome = { partner: partner.code, applied: 0, duplicates: 0 };
  let cursor = (await selectSyncState(ctx.db, partner.code))?.pullCursor ?? null;
  try {
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await fetchPage(ctx, partner, cursor);
      const result = await applyMessages(ctx, partner, page.messages);
      outcome.applied += result.accepted;
      outcome.duplicates += result.duplicates;
      // An event whose waybill is missing waits for the next pull, from the same place.
      if (result.deferred > 0) break;
      const moved = page.nextCursor !== cursor;
      if (moved) await saveSyncState(ctx.db, partner.code, { pullCursor: page.nextCursor });
      cursor = page.nextCursor;
      if (!moved || page.messages.length < FEED_MAX_LIMIT) break;
    }
  } catch (err) {
    outcome.error = err instanceof Error ? err.message : String(err);
  }
  return outcome;
}

/** Pulls from every active partner's catch-up feed, one partner after another. */
export async function pullFromPartners(ctx: Ctx): Promise<PullOutcome[]> {
  const outcomes: PullOutcome[] = [];
  for (const partner of await selectActivePartners(ctx.db)) {
    outcomes.push(await pullFrom(ctx, partner));
  }
  return outcomes;
}
