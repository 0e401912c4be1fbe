import type { App } from "../../env";
import { registerCreateApiKey } from "./create";
import { registerListApiKeys } from "./list";
import { registerRevokeApiKey } from "./revoke";
import { registerRotateApiKey } from "./rotate";

export function registerApiKeys(app: App): void {
  registerListApiKeys(app);
  registerCreateApiKey(app);
  registerRotateApiKey(app);
  registerRevokeApiKey(app);
}
