import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { CheckpointStore } from "../../core/audit/checkpoints";
import type { Ctx } from "../../core/context";
import type { Queues } from "../queues";
import type { JobName, JobPayload, JobSchemas, QueueDef } from "../queues/define";

export interface WorkerDeps {
  /** A system actor's context: workers act for the node, not for an organisation. */
  ctx: Ctx;
  logger: Logger;
  queues: Queues;
  /** The node's signed audit checkpoints, which the chain check holds the table to. */
  auditCheckpoints: CheckpointStore;
}

export type Processors<Q extends QueueDef<JobSchemas>> = {
  [N in JobName<Q>]: (payload: JobPayload<Q, N>, deps: WorkerDeps, job: Job) => Promise<unknown>;
};
