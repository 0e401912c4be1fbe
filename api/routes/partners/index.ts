import type { App } from "../../env";
import { registerCreatePartner } from "./create";
import { registerPartnerDelivery } from "./delivery";
import { registerGetPartner } from "./get";
import { registerListPartners } from "./list";
import { registerResumePartner } from "./resume";
import { registerSuspendPartner } from "./suspend";
import { registerUpdatePartner } from "./update";

export function registerPartners(app: App): void {
  registerCreatePartner(app);
  registerListPartners(app);
  registerGetPartner(app);
  registerUpdatePartner(app);
  registerSuspendPartner(app);
  registerResumePartner(app);
  registerPartnerDelivery(app);
}
