import type { Db } from "../db/client";

/** The database handle (or transaction) verbs run on. */
export type { Db };

import { mayWrite, type OrgKind, type OrgStatus } from "../db/schema";
import type { RoutingEngine } from "../routing/engine";
import type { EgressPolicy } from "./egress";
import { ForbiddenError, UnauthorizedError } from "./errors";
import type { FederationSetup } from "./federation/setup";
import type { FeedCursors } from "./feed/cursor";
import type { IdempotencyClaim } from "./idempotency";
import type { NodeIdentity } from "./identity/node-identity";
import type { JobScheduler } from "./jobs";
import type { ReportSetup } from "./reports/options";

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

/** A change to record in the audit log when its transaction commits (`recordAudit`). */
export interface PendingAudit {
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

export interface TxState {
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
  /** Corridors and the suppression threshold reports use; defaults when absent. */
  reports?: ReportSetup;
  /** Present inside `withTransaction`; collects what must be written or done at commit. */
  tx?: TxState;
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
