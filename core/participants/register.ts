import { insertOrganization as insertOrganizationRow } from "../../db/queries/participants";
import type { Mode, Organization, OrgKind, Qualifications } from "../../db/schema";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError, ForbiddenError } from "../errors";
import { newId } from "../ids";
import { issueApiKey } from "../keys/issue";
import { withTransaction } from "../transaction";
import { validateCreditCode } from "../validation";
import { type OrganizationView, organizationView } from "./view";

export interface OrganizationInput {
  name: string;
  country: string;
  creditCode?: string;
  registrationNumber?: string;
  contact: { name: string; phone: string; email: string };
  modes?: Mode[];
  qualifications?: Qualifications;
}

/** The new key under both names: registration answered `apiKey`, key creation `key`. */
export interface Registered {
  organization: OrganizationView;
  apiKey: string;
  key: string;
}

const PG_UNIQUE_VIOLATION = "23505";

function isUniqueViolation(e: unknown): boolean {
  const cause = e instanceof Error && "cause" in e ? e.cause : e;
  return (
    typeof cause === "object" &&
    cause !== null &&
    "code" in cause &&
    cause.code === PG_UNIQUE_VIOLATION
  );
}

async function insertOrganization(
  ctx: Ctx,
  kind: OrgKind,
  input: OrganizationInput,
  verified: boolean,
): Promise<Registered> {
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const credit = input.creditCode ? validateCreditCode(input.creditCode) : undefined;
    const id = newId("org");
    let row: Organization;
    try {
      row = await insertOrganizationRow(tx.db, {
        id,
        kind,
        status: verified ? "verified" : "pending",
        name: input.name,
        country: input.country,
        creditCode: input.creditCode ?? null,
        registrationNumber: input.registrationNumber ?? null,
        divisionCode: credit?.ok ? credit.divisionCode : null,
        contactName: input.contact.name,
        contactPhone: input.contact.phone,
        contactEmail: input.contact.email,
        modes: input.modes ?? [],
        qualifications: input.qualifications ?? {},
        verifiedAt: verified ? now : null,
        createdAt: now,
        updatedAt: now,
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError("an organisation with this registration is already registered", [
          {
            path: input.creditCode ? "creditCode" : "registrationNumber",
            message: "already registered",
          },
        ]);
      }
      throw e;
    }
    recordAudit(tx, {
      action: "organization.registered",
      entityType: "organization",
      entityId: id,
      data: { kind, status: row.status, name: row.name, country: row.country },
    });
    const key = await issueApiKey(tx, { orgId: id, role: kind, name: "default" });
    return { organization: organizationView(row, "sensitive"), apiKey: key.key, key: key.key };
  });
}

/** Self-registration of a shipper or carrier: pending until an admin verifies it. */
export async function registerOrganization(
  ctx: Ctx,
  kind: "shipper" | "carrier",
  input: OrganizationInput,
): Promise<Registered> {
  return insertOrganization(ctx, kind, input, false);
}

/** An admin creates any organisation, regulators and admins included; it is verified at once. */
export async function createOrganization(
  ctx: Ctx,
  kind: OrgKind,
  input: OrganizationInput,
): Promise<Registered> {
  if (ctx.actor.kind !== "admin") throw new ForbiddenError("only admins may create organisations");
  return insertOrganization(ctx, kind, input, true);
}

export { isUniqueViolation };
