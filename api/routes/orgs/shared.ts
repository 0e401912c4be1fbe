import { z } from "@hono/zod-openapi";
import { ORG_STATUSES } from "../../../core/participants/vocabulary";
import { PageQuery } from "../../schemas/common";
import { CountryCode } from "../../schemas/participants";

export const OrgListQuery = z.strictObject({
  status: z.enum(ORG_STATUSES).optional(),
  country: CountryCode.optional(),
  ...PageQuery,
});
