import { relations, sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";
import { organizations } from "./participants";

export const LINK_STATUSES = ["open", "closed"] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/**
 * A routing answer as given: the request and the routes, so that bids and waybill legs can
 * cite `quoteId` and anyone can see later what was quoted.
 */
export const routeQuotes = pgTable(
  "route_quotes",
  {
    /** `rq_…` */
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    request: jsonb("request").$type<Record<string, unknown>>().notNull(),
    result: jsonb("result").$type<Record<string, unknown>>().notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("route_quotes_org_idx").on(t.orgId, t.id)],
);

export const routeQuotesRelations = relations(routeQuotes, ({ one }) => ({
  organization: one(organizations, { fields: [routeQuotes.orgId], references: [organizations.id] }),
}));

export type RouteQuote = typeof routeQuotes.$inferSelect;

export const routeQuoteClasses: FieldClassification<RouteQuote> = {
  id: "internal",
  orgId: "internal",
  request: "sensitive",
  result: "internal",
  createdAt: "internal",
};

/** Admin overrides of a network link's status; they survive restarts and apply to new queries. */
export const networkLinkStatus = pgTable(
  "network_link_status",
  {
    linkId: text("link_id").primaryKey(),
    status: text("status").$type<LinkStatus>().notNull(),
    /** A closure ends by itself at this time; null = until changed. */
    until: tsz("until"),
    reason: text("reason"),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
  },
  () => [check("network_link_status_status_check", sql.raw("status in ('open', 'closed')"))],
);

export type NetworkLinkStatus = typeof networkLinkStatus.$inferSelect;

export const networkLinkStatusClasses: FieldClassification<NetworkLinkStatus> = {
  linkId: "public",
  status: "public",
  until: "public",
  reason: "public",
  updatedAt: "public",
};
