import { eq } from "drizzle-orm";
import { webhooks } from "../../db/schema";
import { type Ctx, requireOrgActor } from "../context";
import { type WebhookView, webhookView } from "./view";

/** `GET /v1/webhooks`: the caller's own endpoints, newest last. */
export async function listWebhooks(
  ctx: Ctx,
): Promise<{ items: WebhookView[]; nextCursor: string | null }> {
  const actor = requireOrgActor(ctx);
  const rows = await ctx.db
    .select({
      id: webhooks.id,
      url: webhooks.url,
      description: webhooks.description,
      createdAt: webhooks.createdAt,
    })
    .from(webhooks)
    .where(eq(webhooks.orgId, actor.orgId))
    .orderBy(webhooks.id);
  return { items: rows.map(webhookView), nextCursor: null };
}
