import { deliverToPartner, pendingOutbox } from "../../core/federation/deliver";
import { sendHeartbeats } from "../../core/federation/heartbeat";
import { pullFromPartners } from "../../core/federation/pull";
import { federationQueue } from "../queues/federation";
import type { Processors } from "./types";

/** A row younger than this may still be on its way from the after-commit enqueue. */
const SWEEP_GRACE_MS = 10_000;

export const federationProcessors: Processors<typeof federationQueue> = {
  "federation.deliver": async ({ outboxId, partner }, { ctx, logger }) => {
    const run = await deliverToPartner(ctx, { partner, outboxId });
    switch (run.kind) {
      case "busy":
        // Another job is sending this partner's backlog: try again once it is done.
        throw new Error(`delivery to ${partner} in progress elsewhere`);
      case "retry":
        throw new Error(run.reason);
      case "stopped":
        logger.warn({ partner, reason: run.reason }, "federation delivery stopped");
        return run;
      default:
        return run;
    }
  },
  "federation.sweep": async (_payload, { ctx, logger, queues }) => {
    const rows = await pendingOutbox(ctx, { olderThanMs: SWEEP_GRACE_MS, limit: 1000 });
    for (const r of rows) {
      await queues.enqueue(
        federationQueue,
        "federation.deliver",
        { outboxId: r.id, partner: r.partner },
        { jobId: r.id },
      );
    }
    if (rows.length > 0) logger.info({ requeued: rows.length }, "pending outbox rows queued");
    return { requeued: rows.length };
  },
  "federation.heartbeat": async (_payload, { ctx, logger }) => {
    const outcomes = await sendHeartbeats(ctx);
    const unreached = outcomes.filter((o) => !o.reached);
    if (unreached.length > 0) logger.warn({ unreached }, "partners did not answer the heartbeat");
    return { sent: outcomes.length, unreached: unreached.length };
  },
  "federation.pull": async (_payload, { ctx, logger }) => {
    const outcomes = await pullFromPartners(ctx);
    const failed = outcomes.filter((o) => o.error);
    if (failed.length > 0) logger.warn({ failed }, "pulling partner feeds failed");
    const applied = outcomes.reduce((n, o) => n + o.applied, 0);
    if (applied > 0) logger.info({ applied }, "missed messages pulled from partner feeds");
    return { applied, failed: failed.length };
  },
};
