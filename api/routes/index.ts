import type { App } from "../app";
import { registerApiKeys } from "./api-keys";
import { registerAuditVerify } from "./audit/verify";
import { registerBids } from "./bids";
import { registerQualifications } from "./carriers/qualifications";
import { registerRegisterCarrier } from "./carriers/register";
import { registerVehicles } from "./carriers/vehicles";
import { registerFeed } from "./feed/read";
import { registerLoads } from "./loads";
import { registerOps } from "./ops";
import { registerCreateOrganization } from "./orgs/create";
import { registerGetOrganization } from "./orgs/get";
import { registerListOrganizations } from "./orgs/list";
import { registerReviewOrganization } from "./orgs/review";
import { registerRegisterShipper } from "./shippers/register";
import { registerWaybills } from "./waybills";

export function registerRoutes(app: App): void {
  registerOps(app);
  registerRegisterShipper(app);
  registerRegisterCarrier(app);
  registerCreateOrganization(app);
  registerListOrganizations(app);
  registerGetOrganization(app);
  registerReviewOrganization(app);
  registerVehicles(app);
  registerQualifications(app);
  registerApiKeys(app);
  registerAuditVerify(app);
  registerLoads(app);
  registerBids(app);
  registerWaybills(app);
  registerFeed(app);
}
