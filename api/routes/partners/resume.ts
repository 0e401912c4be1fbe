import type { App } from "../../env";
import { registerPartnerDecision } from "./decision";

export function registerResumePartner(app: App): void {
  registerPartnerDecision(app, "resume", {
    summary: "Resume a suspended partner (admin only)",
    answer: "The active partner",
  });
}
