import type { App } from "../../env";
import { registerRotateNodeKeys } from "./rotate-keys";

export function registerNode(app: App): void {
  registerRotateNodeKeys(app);
}
