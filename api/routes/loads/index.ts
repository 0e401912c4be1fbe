import type { App } from "../../env";
import { registerAmendLoad } from "./amend";
import { registerAwardLoad } from "./award";
import { registerCancelLoad } from "./cancel";
import { registerCreateLoad } from "./create";
import { registerGetLoad } from "./get";
import { registerListLoads } from "./list";

export function registerLoads(app: App): void {
  registerCreateLoad(app);
  registerListLoads(app);
  registerGetLoad(app);
  registerAmendLoad(app);
  registerCancelLoad(app);
  registerAwardLoad(app);
}
