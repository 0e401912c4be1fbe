import { refreshReports } from "../../core/reports/refresh";
import type { reportsQueue } from "../queues/reports";
import type { Processors } from "./types";

/** Batches until the backlog is gone or a second has passed; the next run takes the rest. */
const RUN_MS = 1_000;

export const reportsProcessors: Processors<typeof reportsQueue> = {
  "reports.refresh": async (_payload, { ctx }) => {
    const started = Date.now();
    let refreshed = 0;
    for (;;) {
      const n = await refreshReports(ctx);
      refreshed += n;
      if (n === 0 || Date.now() - started > RUN_MS) return { refreshed };
    }
  },
};
