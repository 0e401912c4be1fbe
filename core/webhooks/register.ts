import { countWebhooks, insertWebhook } from "../../db/queries/webhooks";
import { recordAudit } from "../audit/append";
import { type Ctx, requireOrgActor } from "../context";
import { type EgressPolicy, PUBLIC_ONLY } from "../egress";
import { ConflictError, ValidationError } from "../errors";
import { newId } from "../ids";
import { withTransaction } from "../transaction";
import { newWebhookSecret } from "./signature";
import { type WebhookView, webhookView } from "./view";

/** Enough for a primary and a standby endpoint per system; more is usually a mistake. */
const MAX_WEBHOOKS_PER_ORG = 10;

/**
 * Only http(s) endpoints with a host; anything else (`ftp:`, `javascript:`, relative) is refused,
 * and so is a host the egress rule forbids (loopback, private, link-local, in any spelling).
 */
function parseWebhookUrl(raw: string, egress: EgressPolicy = PUBLIC_ONLY): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw ValidationError.field("url", "must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw ValidationError.field("url", "must use http or https");
  }
  if (!url.hostname) throw ValidationError.field("url", "must name a host");
  if (url.username || url.password) {
    throw ValidationError.field("url", "must not carry credentials; verify the signature instead");
  }
  const refusal = egress.refuseUrl(url);
  if (refusal) throw ValidationError.field("url", refusal);
  return url.toString();
}

/** `POST /v1/webhooks`: the caller's organisation registers an endpoint for its feed. */
export async function registerWebhook(
  ctx: Ctx,
  input: { url: string; description?: string },
): Promise<WebhookView & { secret: string }> {
  const actor = requireOrgActor(ctx);
  const url = parseWebhookUrl(input.url, ctx.egress);
  return withTransaction(ctx, async (tx) => {
    if ((await countWebhooks(tx.db, actor.orgId)) >= MAX_WEBHOOKS_PER_ORG) {
      throw new ConflictError(
        `at most ${MAX_WEBHOOKS_PER_ORG} webhooks per organisation; delete one first`,
        [],
        "WEBHOOK_LIMIT",
      );
    }
    const secret = newWebhookSecret();
    const row = await insertWebhook(tx.db, {
      id: newId("wh"),
      orgId: actor.orgId,
      url,
      description: input.description ?? null,
      secret,
      createdAt: tx.clock.now(),
    });
    if (!row) {
      throw new ConflictError(
        "this URL is already registered for your organisation",
        [{ path: "url", message: "already registered" }],
        "WEBHOOK_EXISTS",
      );
    }
    recordAudit(tx, {
      action: "webhook.registered",
      entityType: "webhook",
      entityId: row.id,
      data: { url, description: row.description },
    });
    return { ...webhookView(row), secret };
  });
}
