import type { App } from "../../env";
import { registerCreateBid } from "./create";
import { registerGetBid } from "./get";
import { registerListBids } from "./list";
import { registerReviseBid } from "./revise";
import { registerWithdrawBid } from "./withdraw";

export function registerBids(app: App): void {
  registerCreateBid(app);
  registerListBids(app);
  registerGetBid(app);
  registerReviseBid(app);
  registerWithdrawBid(app);
}
