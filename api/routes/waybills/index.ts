import type { App } from "../../env";
import { registerAppendWaybillEvent } from "./append-event";
import { registerCreateWaybill } from "./create";
import { registerGetWaybill } from "./get";
import { registerListWaybills } from "./list";
import { registerListWaybillEvents } from "./list-events";
import { registerVerifyWaybill } from "./verify";

export function registerWaybills(app: App): void {
  registerCreateWaybill(app);
  registerListWaybills(app);
  registerGetWaybill(app);
  registerAppendWaybillEvent(app);
  registerListWaybillEvents(app);
  registerVerifyWaybill(app);
}
