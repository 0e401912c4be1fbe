import type { App } from "../../env";
import { registerCreatePartner } from "./create";
import { registerListDeadLetters } from "./dead-letters";
import { registerGetPartner } from "./get";
import { registerListPartners } from "./list";
import { registerReplayDeadLetters } from "./replay";
import { registerResumePartner } from "./resume";
import { registerSuspendPartner } from "./suspend";
import { registerPartnerSync } from "./sync";
import { registerUpdatePartner } from "./update";

export function registerPartners(app: App): void {
  registerCreatePartner(app);
  registerListPartners(app);
  registerGetPartner(app);
  registerUpdatePartner(app);
  registerSuspendPartner(app);
  registerResumePartner(app);
  registerListDeadLetters(app);
  registerReplayDeadLetters(app);
  registerPartnerSync(app);
}
