import { sign as signEd25519 } from "node:crypto";
import {
  countSigningKeys,
  insertSigningKey,
  lockSigningKeys,
  selectLiveSigningKeys,
} from "../../db/queries/federation";
import type { FederationSigningKey, PublicJwk } from "../../db/schema/federation";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import type { NodeIdentity } from "../identity/node-identity";
import { withTransaction } from "../transaction";
import { openPrivateKey } from "./sealed-key";
import type { Keyring, SigningKey, SigningKeySet } from "./setup";

/** How long a process trusts the key set it read before reading it again. */
const KEYRING_REFRESH_MS = 2_000;

/**
 * The node key's public half as the first signing key, if the table is empty (first start).
 * Its private half stays where the node key is kept, never in the database.
 */
export async function adoptNodeKey(ctx: Ctx): Promise<boolean> {
  const system: Ctx = { ...ctx, actor: { kind: "system", name: "federation" } };
  return withTransaction(system, async (tx) => {
    await lockSigningKeys(tx.db);
    if ((await countSigningKeys(tx.db)) > 0) return false;
    const { kid } = tx.identity;
    const x = String(tx.identity.publicJwk.x);
    const publicJwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x, kid };
    await insertSigningKey(tx.db, {
      kid,
      publicJwk,
      sealedPrivateKey: null,
      createdAt: tx.clock.now(),
    });
    recordAudit(tx, {
      action: "node.signing_key_adopted",
      entityType: "node_key",
      entityId: kid,
      data: { kid },
    });
    return true;
  });
}

function signingKey(row: FederationSigningKey, identity: NodeIdentity): SigningKey {
  const base = {
    kid: row.kid,
    publicJwk: row.publicJwk,
    createdAt: row.createdAt,
    retiresAt: row.retiresAt,
  };
  if (row.kid === identity.kid) return { ...base, sign: identity.signBytes };
  const key = row.sealedPrivateKey
    ? openPrivateKey(identity.sealingKey, row.kid, row.sealedPrivateKey)
    : null;
  return key ? { ...base, sign: (data) => signEd25519(null, data, key) } : base;
}

/**
 * The node's live signing keys, read from the database and kept for `refreshMs`: processes
 * sharing the database see another's rotation within that time, and a key leaves the set as
 * soon as it retires. One per node process, built where the node is composed.
 */
export class SigningKeyring implements Keyring<Ctx> {
  private cached: { set: SigningKeySet; freshUntil: number; retiresAt: number } | undefined;
  private loading: Promise<SigningKeySet> | undefined;
  private generation = 0;

  constructor(private readonly refreshMs = KEYRING_REFRESH_MS) {}

  live(ctx: Ctx): Promise<SigningKeySet> {
    const c = this.cached;
    if (c && performance.now() < c.freshUntil && ctx.clock.now().getTime() < c.retiresAt) {
      return Promise.resolve(c.set);
    }
    if (!this.loading) {
      const loading = this.load(ctx).finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  /** Drops what was read, so the next call reads again (after this process rotated). */
  forget(): void {
    this.generation++;
    this.cached = undefined;
    this.loading = undefined;
  }

  private async load(ctx: Ctx): Promise<SigningKeySet> {
    const generation = this.generation;
    const readAt = performance.now();
    let rows = await selectLiveSigningKeys(ctx.db, ctx.clock.now());
    if (rows.length === 0 && (await adoptNodeKey(ctx))) {
      rows = await selectLiveSigningKeys(ctx.db, ctx.clock.now());
    }
    if (rows.length === 0) throw new Error("no federation signing key is live");
    const keys = rows.map((row) => signingKey(row, ctx.identity));
    const set = { keys, signers: keys.filter((k) => k.sign) };
    const retiring = rows.flatMap((r) => (r.retiresAt ? [r.retiresAt.getTime()] : []));
    if (generation === this.generation) {
      this.cached = {
        set,
        freshUntil: readAt + this.refreshMs,
        retiresAt: Math.min(Number.POSITIVE_INFINITY, ...retiring),
      };
    }
    return set;
  }
}
