import type { App } from "../../env";
import { registerListCorridors } from "./list-corridors";
import { registerListHubs } from "./list-hubs";
import { registerListLinks } from "./list-links";
import { registerSetLinkStatus } from "./set-link-status";

export function registerNetwork(app: App): void {
  registerListHubs(app);
  registerListLinks(app);
  registerListCorridors(app);
  registerSetLinkStatus(app);
}
