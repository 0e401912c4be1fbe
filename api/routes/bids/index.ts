import type { App } from "../../app";
import { registerCreateBid } from "./create";
import { registerListBids } from "./list";
import { registerReviseBid } from "./revise";

export function registerBids(app: App): void {
  registerCreateBid(app);
  registerListBids(app);
  registerReviseBid(app);
}
