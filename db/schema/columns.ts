import { integer, timestamp } from "drizzle-orm/pg-core";

/** Millisecond precision keeps timestamps identical across a JSON round trip. */
export const tsz = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const timestamps = {
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
};

/** Optimistic-concurrency counter, bumped on every update. */
export const version = { version: integer("version").notNull().default(1) };
