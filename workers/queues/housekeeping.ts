import { z } from "zod";
import { defineQueue } from "./define";

/** Periodic checks that keep the node honest. */
export const housekeepingQueue = defineQueue(
  "housekeeping",
  {
    "audit.verify": z.strictObject({}),
    "idempotency.purge": z.strictObject({}),
  },
  { defaults: { attempts: 3 }, concurrency: 1 },
);
