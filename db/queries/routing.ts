import type { Db } from "../client";
import { type NetworkLinkStatus, networkLinkStatus, type RouteQuote, routeQuotes } from "../schema";

/** Keeps a quote as answered: the one way into `route_quotes`. */
export async function insertRouteQuote(db: Db, quote: RouteQuote): Promise<void> {
  await db.insert(routeQuotes).values(quote);
}

/** Sets a link's status override, replacing any earlier one: the one way into the table. */
export async function upsertLinkStatus(db: Db, row: NetworkLinkStatus): Promise<void> {
  await db
    .insert(networkLinkStatus)
    .values(row)
    .onConflictDoUpdate({ target: networkLinkStatus.linkId, set: row });
}
