import type { App } from "../../app";
import { registerCreateWaybill } from "./create";
import { registerWaybillEvents } from "./events";
import { registerGetWaybill } from "./get";
import { registerListWaybills } from "./list";

export function registerWaybills(app: App): void {
  registerCreateWaybill(app);
  registerListWaybills(app);
  registerGetWaybill(app);
  registerWaybillEvents(app);
}
