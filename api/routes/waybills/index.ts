import type { App } from "../../app";
import { registerCreateWaybill } from "./create";
import { registerWaybillEvents } from "./events";
import { registerGetWaybill } from "./get";

export function registerWaybills(app: App): void {
  registerCreateWaybill(app);
  registerGetWaybill(app);
  registerWaybillEvents(app);
}
