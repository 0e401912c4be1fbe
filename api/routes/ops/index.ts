import type { App } from "../../env";
import { registerHealth } from "./health";
import { registerMetrics } from "./metrics";
import { registerReady } from "./ready";

export function registerOps(app: App): void {
  registerHealth(app);
  registerReady(app);
  registerMetrics(app);
}
