import { z } from "zod";
import { defineQueue } from "./define";

/**
 * Report rollups: `reports.refresh` recomputes dirty facts and cells. It repeats every second
 * and is also queued after each write's commit under one job id, so at most one waits.
 */
export const reportsQueue = defineQueue(
  "reports",
  { "reports.refresh": z.strictObject({}) },
  {
    defaults: {
      attempts: 3,
      backoff: { type: "exponential", delay: 500, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    },
    concurrency: 1,
  },
);
