import { insertApiKey } from "../../db/queries/keys";
import type { OrgKind } from "../../db/schema";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { newId } from "../ids";
import { displayPrefix, generateApiKey, hashApiKey } from "./secret";

export interface IssuedKey {
  id: string;
  name: string;
  prefix: string;
  role: OrgKind;
  createdAt: Date;
  /** The secret itself: returned once, never stored. */
  key: string;
}

/** Inserts a key for an organisation; the caller provides the transaction. */
export async function issueApiKey(
  ctx: Ctx,
  input: { orgId: string; role: OrgKind; name: string; secret?: string },
): Promise<IssuedKey> {
  const key = input.secret ?? generateApiKey();
  const id = newId("key");
  const createdAt = await insertApiKey(ctx.db, {
    id,
    orgId: input.orgId,
    role: input.role,
    name: input.name,
    prefix: displayPrefix(key),
    hash: hashApiKey(key),
    createdAt: ctx.clock.now(),
  });
  recordAudit(ctx, {
    action: "api_key.created",
    entityType: "api_key",
    entityId: id,
    data: { orgId: input.orgId, role: input.role, name: input.name, prefix: displayPrefix(key) },
  });
  return {
    id,
    name: input.name,
    prefix: displayPrefix(key),
    role: input.role,
    createdAt,
    key,
  };
}
