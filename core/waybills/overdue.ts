import { sql } from "drizzle-orm";
import { markLegOverdueRaised } from "../../db/queries/waybills";
import type { Ctx } from "../context";
import { appendWaybillEvent } from "./events";

/**
 * Raises an `exception` for each leg whose planned arrival has passed with no event since, on
 * a waybill still under way. Each leg is raised once (`overdue_raised_at`). Only the home node
 * watches its waybills: a replica hears of the exception from it, not from a clock of its own.
 * The check looks back `OVERDUE_LOOKBACK_DAYS` only: it runs every minute, so a leg is raised
 * within a minute of falling due, and without the bound every run re-read every leg of a year
 * of finished waybills (3.3 million legs and 16 s a run at a million waybills).
 */
/** A leg fallen due longer ago than this (the node was down all that time) is not raised late. */
export const OVERDUE_LOOKBACK_DAYS = 3;

export async function raiseOverdueLegs(ctx: Ctx, limit = 200): Promise<number> {
  const due = await ctx.db.execute<{
    waybill_number: string;
    seq: number;
    planned_arrival: string;
  }>(sql`
    select l.waybill_number, l.seq, l.planned_arrival
      from waybill_legs l join waybills w on w.number = l.waybill_number
     where l.overdue_raised_at is null
       and w.home_node is null
       and l.planned_arrival < now()
       and l.planned_arrival > now() - make_interval(days => ${OVERDUE_LOOKBACK_DAYS})
       and w.status not in ('delivered', 'pod_confirmed', 'cancelled', 'exception')
       and not exists (select 1 from waybill_events e
                        where e.waybill_number = l.waybill_number
                          and e.occurred_at >= l.planned_arrival)
     order by l.planned_arrival
     limit ${limit}`);
  let raised = 0;
  for (const leg of due) {
    const plannedArrival = new Date(leg.planned_arrival);
    await appendWaybillEvent(ctx, {
      number: leg.waybill_number,
      event: {
        type: "exception",
        occurredAt: new Date(
          Math.max(plannedArrival.getTime() + 1, ctx.clock.now().getTime()),
        ).toISOString(),
        details: {
          reason: "overdue",
          leg: leg.seq,
          plannedArrival: plannedArrival.toISOString(),
        },
      },
    }).catch(() => {
      // A waybill that cannot take an exception now (e.g. just delivered) is left alone.
    });
    await markLegOverdueRaised(ctx.db, leg.waybill_number, leg.seq);
    raised += 1;
  }
  return raised;
}
