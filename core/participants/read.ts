import { and, asc, eq, gt, type SQL } from "drizzle-orm";
import { type OrgKind, type OrgStatus, organizations } from "../../db/schema";
import type { Ctx } from "../context";
import { NotFoundError } from "../errors";
import { type OrganizationView, organizationView, orgCeiling } from "./view";

/** One organisation as the actor may see it; other organisations' records do not exist. */
export async function getOrganization(
  ctx: Ctx,
  input: { id: string; kind?: OrgKind },
): Promise<OrganizationView> {
  const ceiling = orgCeiling(ctx.actor, input.id);
  const [row] = ceiling
    ? await ctx.db.select().from(organizations).where(eq(organizations.id, input.id))
    : [];
  if (!row || !ceiling || (input.kind && row.kind !== input.kind)) {
    throw NotFoundError.of(input.kind ?? "organization", input.id);
  }
  return organizationView(row, ceiling);
}

export interface ListOrganizationsInput {
  kind?: OrgKind;
  status?: OrgStatus;
  country?: string;
  cursor?: string;
  limit: number;
}

/** The registry: admins and regulators see all of it, anyone else only themselves. */
export async function listOrganizations(
  ctx: Ctx,
  input: ListOrganizationsInput,
): Promise<{ items: OrganizationView[]; nextCursor: string | null }> {
  const filters: (SQL | undefined)[] = [
    input.kind ? eq(organizations.kind, input.kind) : undefined,
    input.status ? eq(organizations.status, input.status) : undefined,
    input.country ? eq(organizations.country, input.country) : undefined,
    input.cursor ? gt(organizations.id, input.cursor) : undefined,
  ];
  const actor = ctx.actor;
  const seesAll = actor.kind === "admin" || actor.kind === "regulator" || actor.kind === "system";
  if (!seesAll) {
    if (!("orgId" in actor)) return { items: [], nextCursor: null };
    filters.push(eq(organizations.id, actor.orgId));
  }
  const rows = await ctx.db
    .select()
    .from(organizations)
    .where(and(...filters))
    .orderBy(asc(organizations.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const items: OrganizationView[] = [];
  for (const row of page) {
    const ceiling = orgCeiling(actor, row.id);
    if (ceiling) items.push(organizationView(row, ceiling));
  }
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? last.id : null };
}
