import type { App } from "../../env";
import { registerCreateWebhook } from "./create";
import { registerDeleteWebhook } from "./delete";
import { registerListWebhooks } from "./list";

export function registerWebhooks(app: App): void {
  registerCreateWebhook(app);
  registerListWebhooks(app);
  registerDeleteWebhook(app);
}
