import { verifyAuditChain } from "../../core/audit/verify";
import { purgeExpiredIdempotencyKeys } from "../../core/idempotency";
import type { housekeepingQueue } from "../queues/housekeeping";
import type { Processors } from "./types";

export const housekeepingProcessors: Processors<typeof housekeepingQueue> = {
  "audit.verify": async (_payload, { ctx, logger }) => {
    const verdict = await verifyAuditChain(ctx);
    if (verdict.ok) logger.info({ entries: verdict.entries }, "audit chain verified");
    else logger.error({ firstBadEntry: verdict.firstBadEntry }, "audit chain is broken");
    return verdict;
  },
  "idempotency.purge": async (_payload, { ctx, logger }) => {
    const purged = await purgeExpiredIdempotencyKeys(ctx.db);
    if (purged > 0) logger.info({ purged }, "expired idempotency keys purged");
    return { purged };
  },
};
