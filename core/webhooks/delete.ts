import { deleteWebhookRow } from "../../db/queries/webhooks";
import { recordAudit } from "../audit/append";
import { type Ctx, requireOrgActor } from "../context";
import { NotFoundError } from "../errors";
import { withTransaction } from "../transaction";
import { type WebhookView, webhookView } from "./view";

/**
 * `DELETE /v1/webhooks/{id}`: removes the endpoint and its pending deliveries. Another
 * organisation's webhook is "not found", never "forbidden", so ids leak nothing.
 */
export async function deleteWebhook(ctx: Ctx, input: { id: string }): Promise<WebhookView> {
  const actor = requireOrgActor(ctx);
  return withTransaction(ctx, async (tx) => {
    const row = await deleteWebhookRow(tx.db, { id: input.id, orgId: actor.orgId });
    if (!row) throw NotFoundError.of("webhook", input.id);
    recordAudit(tx, {
      action: "webhook.deleted",
      entityType: "webhook",
      entityId: row.id,
      data: { url: row.url },
    });
    return webhookView(row);
  });
}
