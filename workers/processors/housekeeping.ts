import { UnrecoverableError } from "bullmq";
import { verifyAuditChain } from "../../core/audit/verify";
import { purgeExpiredIdempotencyKeys } from "../../core/idempotency";
import type { housekeepingQueue } from "../queues/housekeeping";
import type { Processors } from "./types";

export const housekeepingProcessors: Processors<typeof housekeepingQueue> = {
  "audit.verify": async (_payload, { ctx, logger, auditCheckpoints }) => {
    const verdict = await verifyAuditChain(ctx, { checkpoint: auditCheckpoints.latest() });
    if (!verdict.ok) {
      const { firstBadEntry, refused, checkpoint } = verdict;
      logger.error({ firstBadEntry, refused, checkpoint }, "audit chain is broken");
      // Fails the job loudly; running it again cannot mend a tampered log.
      throw new UnrecoverableError(
        `audit chain is broken at entry ${firstBadEntry?.seq}: ${firstBadEntry?.reason}`,
      );
    }
    logger.info({ entries: verdict.entries }, "audit chain verified");
    return verdict;
  },
  "idempotency.purge": async (_payload, { ctx, logger }) => {
    const purged = await purgeExpiredIdempotencyKeys(ctx.db);
    if (purged > 0) logger.info({ purged }, "expired idempotency keys purged");
    return { purged };
  },
};
