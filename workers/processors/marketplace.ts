import { closeLoad, dueLoads } from "../../core/marketplace/close-load";
import { raiseOverdueLegs } from "../../core/waybills/overdue";
import type { marketplaceQueue } from "../queues/marketplace";
import type { Processors } from "./types";

export const marketplaceProcessors: Processors<typeof marketplaceQueue> = {
  "load.close": async ({ loadId }, { ctx, logger }) => {
    const result = await closeLoad(ctx, { loadId });
    logger.info({ loadId, ...result }, "load closed");
    return result;
  },
  "loads.sweep": async (_payload, { ctx, logger }) => {
    const due = await dueLoads(ctx);
    for (const loadId of due) {
      const result = await closeLoad(ctx, { loadId });
      logger.info({ loadId, ...result }, "load closed by sweep");
    }
    return { closed: due.length };
  },
  "waybills.overdue": async (_payload, { ctx, logger }) => {
    const raised = await raiseOverdueLegs(ctx);
    if (raised > 0) logger.warn({ raised }, "overdue legs raised as exceptions");
    return { raised };
  },
};
