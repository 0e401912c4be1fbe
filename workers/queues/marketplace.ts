import { z } from "zod";
import { defineQueue } from "./define";

/**
 * Closing loads when bidding ends (one delayed job per load and closing time, id
 * `close:<loadId>:<closing ms>`, so a re-scheduled closing gets its own job), the periodic
 * sweep that catches any missed closing, and the overdue-leg check.
 */
export const marketplaceQueue = defineQueue(
  "marketplace",
  {
    "load.close": z.strictObject({ loadId: z.string().min(1).max(40) }),
    "loads.sweep": z.strictObject({}),
    "waybills.overdue": z.strictObject({}),
  },
  { defaults: { attempts: 5 }, concurrency: 4 },
);
