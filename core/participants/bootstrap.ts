import { eq } from "drizzle-orm";
import { insertOrganization } from "../../db/queries/participants";
import { apiKeys, organizations } from "../../db/schema";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { newId } from "../ids";
import { issueApiKey } from "../keys/issue";
import { hashApiKey } from "../keys/secret";
import { withTransaction } from "../transaction";

/**
 * Makes sure the node has an admin. With `adminKey` (CARAVAN_ADMIN_KEY) that key is made
 * valid; otherwise, on first start only, a key is generated and returned to print once.
 */
export async function ensureAdmin(
  ctx: Ctx,
  input: { nodeCode: string; adminKey?: string },
): Promise<{ orgId: string; generatedKey?: string }> {
  return withTransaction(ctx, async (tx) => {
    const [admin] = await tx.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.kind, "admin"))
      .orderBy(organizations.id)
      .limit(1);
    let orgId = admin?.id;
    if (!orgId) {
      orgId = newId("org");
      const now = tx.clock.now();
      await insertOrganization(tx.db, {
        id: orgId,
        kind: "admin",
        status: "verified",
        name: `Caravan node ${input.nodeCode} administration`,
        country: "CN",
        verifiedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      recordAudit(tx, {
        action: "organization.registered",
        entityType: "organization",
        entityId: orgId,
        data: { kind: "admin", status: "verified", bootstrap: true },
      });
    }
    if (input.adminKey) {
      const [existing] = await tx.db
        .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
        .from(apiKeys)
        .where(eq(apiKeys.hash, hashApiKey(input.adminKey)));
      if (existing?.revokedAt) {
        throw new Error("CARAVAN_ADMIN_KEY names a revoked key; set a new one");
      }
      if (!existing) {
        await issueApiKey(tx, {
          orgId,
          role: "admin",
          name: "CARAVAN_ADMIN_KEY",
          secret: input.adminKey,
        });
      }
      return { orgId };
    }
    if (admin) return { orgId };
    const key = await issueApiKey(tx, { orgId, role: "admin", name: "bootstrap" });
    return { orgId, generatedKey: key.key };
  });
}
