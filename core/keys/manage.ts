import { and, count, desc, eq, isNull, lt, ne } from "drizzle-orm";
import { type KeyRow, keyColumns, revokeKey } from "../../db/queries/keys";
import { apiKeys, organizations } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, requireOrgActor } from "../context";
import { ConflictError, NotFoundError } from "../errors";
import { toPage } from "../pagination";
import { withTransaction } from "../transaction";
import { announceOrganizationKeys, forgetOrganizationKeysOnCommit } from "./authenticate";
import { type IssuedKey, issueApiKey } from "./issue";

export type KeyView = KeyRow;

/** An organisation's own keys, newest first; the secret is never shown again. */
export async function listApiKeys(
  ctx: Ctx,
  input: { cursor?: string; limit: number },
): Promise<{ items: KeyView[]; nextCursor: string | null }> {
  const actor = requireOrgActor(ctx);
  const rows = await ctx.db
    .select(keyColumns)
    .from(apiKeys)
    .where(
      and(eq(apiKeys.orgId, actor.orgId), input.cursor ? lt(apiKeys.id, input.cursor) : undefined),
    )
    .orderBy(desc(apiKeys.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    (r) => r.id,
    (r) => r,
  );
}

export async function createApiKey(ctx: Ctx, input: { name: string }): Promise<IssuedKey> {
  const actor = requireOrgActor(ctx);
  return withTransaction(ctx, (tx) =>
    issueApiKey(tx, { orgId: actor.orgId, role: actor.kind, name: input.name }),
  );
}

async function revokeOwnKey(ctx: Ctx, id: string, action: string): Promise<KeyView> {
  const actor = requireOrgActor(ctx);
  forgetOrganizationKeysOnCommit(ctx, actor.orgId);
  const row = await revokeKey(ctx.db, { id, orgId: actor.orgId, at: ctx.clock.now() });
  // Another organisation's key and an already revoked one look the same: not found.
  if (!row) throw NotFoundError.of("API key", id);
  await announceOrganizationKeys(ctx, actor.orgId);
  recordAudit(ctx, { action, entityType: "api_key", entityId: id, data: { orgId: actor.orgId } });
  return row;
}

/**
 * `DELETE /v1/api-keys/{id}`. An organisation's last live key is never revoked (409): with
 * none left it could not sign in again, nor make a new one. Rotate it instead. The
 * organisation's row is locked first, so two revocations at once cannot remove the last two.
 */
export async function revokeApiKey(ctx: Ctx, id: string): Promise<KeyView> {
  const actor = requireOrgActor(ctx);
  return withTransaction(ctx, async (tx) => {
    await tx.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, actor.orgId))
      .for("no key update");
    const [others] = await tx.db
      .select({ n: count() })
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, actor.orgId), isNull(apiKeys.revokedAt), ne(apiKeys.id, id)));
    const row = await revokeOwnKey(tx, id, "api_key.revoked");
    if ((others?.n ?? 0) === 0) {
      throw new ConflictError(
        "this is the organisation's last live key: create or rotate to a new one before revoking it",
        [{ path: "id", message: "last live key" }],
        "LAST_API_KEY",
      );
    }
    return row;
  });
}

/** Replaces a key with a new one of the same name and role, in one transaction. */
export async function rotateApiKey(ctx: Ctx, id: string): Promise<IssuedKey> {
  const actor = requireOrgActor(ctx);
  return withTransaction(ctx, async (tx) => {
    const old = await revokeOwnKey(tx, id, "api_key.rotated");
    return issueApiKey(tx, { orgId: actor.orgId, role: actor.kind, name: old.name });
  });
}
