import type { Webhook } from "../../db/schema";

export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  createdAt: string;
}

/** The secret is never part of a view: it is shown once, when the webhook is created. */
export function webhookView(w: Pick<Webhook, "id" | "url" | "description" | "createdAt">) {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    createdAt: w.createdAt.toISOString(),
  } satisfies WebhookView;
}
