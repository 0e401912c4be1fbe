/**
 * Background work a domain verb asks for once its transaction has committed. The node wires
 * this to BullMQ; where no queue runs (plain API tests) it is absent and the periodic sweep
 * catches up instead.
 */
export type BackgroundJob =
  | { kind: "load.close"; loadId: string; at: Date }
  /** Sends one webhook delivery; its id is the job id, so queuing it twice is harmless. */
  | { kind: "webhook.deliver"; deliveryId: string }
  /** Delivers a partner's backlog; the outbox row's id is the job id. */
  | { kind: "federation.deliver"; outboxId: string; partner: string }
  /** Recomputes dirty report facts and cells; one waiting job at a time is enough. */
  | { kind: "reports.refresh" };

export interface JobScheduler {
  schedule(job: BackgroundJob): Promise<void>;
}
