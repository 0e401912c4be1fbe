import type { NodeKind, PublicJwk } from "../../db/schema/federation";
import type { RecentIds } from "./recent-ids";

export interface SigningKey {
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  readonly createdAt: Date;
  /** Null while it is the current key; else when it stops being published and signing. */
  readonly retiresAt: Date | null;
  /** Absent when this process cannot open its private half (sealed under another node key). */
  readonly sign?: (data: Uint8Array) => Buffer;
}

export interface SigningKeySet {
  /** Every key not yet retired, the current one first: what the node publishes. */
  readonly keys: readonly SigningKey[];
  /** Those this process can sign with, in the same order: more than one during a grace period. */
  readonly signers: readonly SigningKey[];
}

/**
 * The node's live signing keys (`SigningKeyring`). Generic over the context it reads with, so
 * that the context can name this type without importing the keyring (no import cycle).
 */
export interface Keyring<C> {
  live(ctx: C): Promise<SigningKeySet>;
  /** Drops what was read, so the next call reads again (after this process rotated). */
  forget(): void;
}

/** What a node tells its partners about itself, and the keys it signs with. */
export interface FederationSetup<C> {
  readonly name: string;
  readonly kind: NodeKind;
  /** How long a rotated-out key stays published and signing (`CARAVAN_NODE_KEY_GRACE_HOURS`). */
  readonly keyGraceHours: number;
  /** Seconds between heartbeats to each partner (`CARAVAN_FEDERATION_HEARTBEAT_SECONDS`). */
  readonly heartbeatSeconds?: number;
  readonly keys: Keyring<C>;
  /** Outbox rows this process saw delivered lately, so their jobs end without a query. */
  readonly delivered?: RecentIds;
}
