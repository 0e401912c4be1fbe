import type { App } from "../../env";
import { registerListHubs } from "./list-hubs";
import { registerListLinks } from "./list-links";
import { registerSetLinkStatus } from "./set-link-status";

export function registerNetwork(app: App): void {
  registerListHubs(app);
  registerListLinks(app);
  registerSetLinkStatus(app);
}
