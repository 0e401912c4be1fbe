import { IdParam, idOf } from "../../schemas/common";

/** A bid's path: `/v1/loads/{id}/bids/{bidId}`. */
export const BidParams = IdParam("ld").extend({
  bidId: idOf("bid").openapi({ param: { name: "bidId", in: "path" } }),
});
