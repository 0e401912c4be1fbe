import type { App } from "../../app";
import { registerRotateNodeKeys } from "./rotate-keys";

export function registerNode(app: App): void {
  registerRotateNodeKeys(app);
}
