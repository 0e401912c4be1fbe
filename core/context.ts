import { type Db, transaction } from "../db/client";

/** The database handle (or transaction) verbs run on. */
export type { Db };

import { mayWrite, type OrgKind, type OrgStatus } from "../db/schema";
import type { RoutingEngine } from "../routing/engine";
import type { PendingAudit } from "./audit/append";
import type { EgressPolicy } from "./egress";
import { ForbiddenError, UnauthorizedError } from "./errors";
import type { FederationSetup } from "./federation/setup";
import type { FeedCursors } from "./feed/cursor";
import { type IdempotencyClaim, recordCommittedResult } from "./idempotency";
import type { NodeIdentity } from "./identity/node-identity";
import type { JobScheduler } from "./jobs";

/** Who is acting. Verbs branch on `kind`; every query is scoped by `orgId` unless allowed more. */
export type Actor =
  | { kind: "anonymous" }
  | { kind: "system"; name: string }
  | {
      kind: OrgKind;
      orgId: string;
      orgStatus: OrgStatus;
      keyId: string;
    };

export type OrgActor = Extract<Actor, { orgId: string }>;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

interface TxState {
  audit: PendingAudit[];
  afterCommit: (() => void | Promise<void>)[];
}

export interface Ctx {
  db: Db;
  actor: Actor;
  clock: Clock;
  /** The node's keys: every audit entry written carries its proof. */
  identity: NodeIdentity;
  /**
   * The freight network: routing, hub names in loads, bids and waybills, and emission factors
   * all read this one, built once where the node is composed.
   */
  network: RoutingEngine;
  requestId?: string;
  /** Schedules background work after commit; absent where no queue runs. */
  jobs?: JobScheduler;
  /** This node's code (`CARAVAN_NODE_CODE`), the prefix of the numbers it issues. */
  nodeCode?: string;
  /** Which addresses outgoing requests may reach; public addresses only when absent. */
  egress?: EgressPolicy;
  /** Seals feed positions into opaque cursors with the node's secret; needed to read the feed. */
  feedCursors?: FeedCursors;
  /** The node as its partners know it: name, kind and federation signing keys. */
  federation?: FederationSetup<Ctx>;
  /** The request's claimed `Idempotency-Key`: its write stores the result in its transaction. */
  idempotency?: IdempotencyClaim;
  /** Present inside `withTransaction`; collects what must be written or done at commit. */
  tx?: TxState;
}

type Flush = (ctx: Ctx & { tx: TxState }) => Promise<void>;
let flushAudit: Flush | undefined;

/** The audit module registers its flush here; it runs last, just before COMMIT. */
export function onBeforeCommit(flush: Flush): void {
  flushAudit = flush;
}

/**
 * Runs `fn` in one transaction; nested calls reuse the outer one. Audit entries recorded
 * inside are inserted, unchained and without a lock, as the last statement; the sealer gives
 * them their place in the chain after commit. Under an `Idempotency-Key` the result is stored
 * with the write, so the key and the change commit together.
 */
export async function withTransaction<T>(
  ctx: Ctx,
  fn: (ctx: Ctx & { tx: TxState }) => Promise<T>,
): Promise<T> {
  if (ctx.tx) return fn(ctx as Ctx & { tx: TxState });
  const state: TxState = { audit: [], afterCommit: [] };
  const result = await transaction(ctx.db, async (tx) => {
    const inner = { ...ctx, db: tx, tx: state };
    const value = await fn(inner);
    if (ctx.idempotency) await recordCommittedResult(tx, ctx.idempotency, value);
    if (state.audit.length > 0) {
      if (!flushAudit) throw new Error("audit flush not registered");
      await flushAudit(inner);
    }
    return value;
  });
  for (const hook of state.afterCommit) await hook();
  return result;
}

export function requireOrgActor(ctx: Ctx): OrgActor {
  if (!("orgId" in ctx.actor)) throw new UnauthorizedError("an organisation's API key is required");
  return ctx.actor;
}

/**
 * A rejected or suspended organisation may still read what it could before, but changes
 * nothing: no loads, bids, awards, events, keys, webhooks, vehicles or qualifications.
 */
export function requireGoodStanding(actor: Actor): void {
  if (!("orgId" in actor)) return;
  if (!mayWrite(actor.orgStatus)) {
    throw new ForbiddenError(
      `the organisation is ${actor.orgStatus}: it may read but not write`,
      [],
      actor.orgStatus === "rejected" ? "ORGANIZATION_REJECTED" : "ORGANIZATION_SUSPENDED",
    );
  }
}

export function requireFeedCursors(ctx: Ctx): FeedCursors {
  if (!ctx.feedCursors) throw new Error("feed cursors need the node's cursor secret in ctx");
  return ctx.feedCursors;
}

export function requireFederation(ctx: Ctx): FederationSetup<Ctx> {
  if (!ctx.federation) throw new Error("federation needs the node's setup in ctx");
  return ctx.federation;
}

export function isAdmin(actor: Actor): boolean {
  return actor.kind === "admin";
}
