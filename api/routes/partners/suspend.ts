import type { App } from "../../env";
import { registerPartnerDecision } from "./decision";

export function registerSuspendPartner(app: App): void {
  registerPartnerDecision(app, "suspend", {
    summary:
      "Suspend a partner: nothing is sent to it or accepted from it until it is resumed (admin only)",
    answer: "The suspended partner",
  });
}
