import {
  insertSigningKey,
  lockSigningKeys,
  retireCurrentSigningKeys,
  retireSigningKeysAt,
  selectLiveSigningKeys,
} from "../../db/queries/federation";
import { recordAudit } from "../audit/append";
import { type Ctx, requireFederation } from "../context";
import { generateNodeKey } from "../identity/node-identity";
import { withTransaction } from "../transaction";
import { requireFederationAdmin } from "./access";
import { publicJwkOf } from "./jwk";
import { sealPrivateKey } from "./sealed-key";
import type { SigningKey } from "./setup";
import { adoptNodeKey } from "./signing-keys";

const HOUR_MS = 3_600_000;

/**
 * Published keys at most: the current one and three in their grace period. Rotating again
 * retires the oldest at once, so a node's key set always fits a partner's (8 keys).
 */
const MAX_LIVE_SIGNING_KEYS = 4;

export interface NodeKeyView {
  kid: string;
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  createdAt: string;
  /** Null for the current key. */
  retiresAt: string | null;
}

function nodeKeyView(key: SigningKey): NodeKeyView {
  return {
    ...key.publicJwk,
    createdAt: key.createdAt.toISOString(),
    retiresAt: key.retiresAt?.toISOString() ?? null,
  };
}

/**
 * `POST /v1/node/keys/rotate`: a new signing key becomes current and is published; every
 * key current until now stays published and signing for the grace period, so partners that
 * fetched the old key set keep accepting what this node sends. The node key itself (audit
 * proofs, checkpoints) does not change. Rotations run one at a time.
 */
export async function rotateSigningKey(ctx: Ctx): Promise<{ kid: string; keys: NodeKeyView[] }> {
  requireFederationAdmin(ctx, "rotate the node's signing keys");
  const federation = requireFederation(ctx);
  const key = generateNodeKey();
  const publicJwk = await publicJwkOf(key);
  const { kid } = publicJwk;
  const sealedPrivateKey = sealPrivateKey(ctx.identity.sealingKey, kid, key);
  await withTransaction(ctx, async (tx) => {
    await adoptNodeKey(tx);
    await lockSigningKeys(tx.db);
    const now = tx.clock.now();
    const retiresAt = new Date(now.getTime() + federation.keyGraceHours * HOUR_MS);
    const retired = await retireCurrentSigningKeys(tx.db, retiresAt);
    await insertSigningKey(tx.db, { kid, publicJwk, sealedPrivateKey, createdAt: now });
    const live = await selectLiveSigningKeys(tx.db, now);
    const dropped = live.slice(MAX_LIVE_SIGNING_KEYS).map((k) => k.kid);
    await retireSigningKeysAt(tx.db, dropped, now);
    recordAudit(tx, {
      action: "node.signing_key_rotated",
      entityType: "node_key",
      entityId: kid,
      data: {
        kid,
        retiring: retired.map((r) => r.kid),
        retiresAt: retiresAt.toISOString(),
        retiredNow: dropped,
      },
    });
    // This process reads the new set at once; others within the keyring's refresh time.
    tx.tx.afterCommit.push(() => federation.keys.forget());
  });
  const live = await federation.keys.live(ctx);
  return { kid, keys: live.keys.map(nodeKeyView) };
}
