import { insertPartner } from "../../db/queries/federation";
import type { NodeKind } from "../../db/schema/federation";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError } from "../errors";
import { withTransaction } from "../transaction";
import { requireFederationAdmin } from "./access";
import {
  type AgreementInput,
  type JwkInput,
  parseAgreement,
  parseBaseUrl,
  parseJwks,
  parsePartnerCode,
} from "./partner-input";
import { type PartnerView, partnerView } from "./partner-view";

export interface PartnerInput {
  code: string;
  name: string;
  kind: NodeKind;
  baseUrl: string;
  jwks: { keys: JwkInput[] };
  agreement: AgreementInput;
}

/** `POST /v1/partners`: an admin registers another node and what it is agreed to receive. */
export async function registerPartner(ctx: Ctx, input: PartnerInput): Promise<PartnerView> {
  requireFederationAdmin(ctx, "register partner nodes");
  const code = parsePartnerCode(input.code, ctx.nodeCode);
  const baseUrl = parseBaseUrl(input.baseUrl, ctx.egress);
  const jwks = await parseJwks(input.jwks);
  const agreement = parseAgreement(input.agreement);
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const row = await insertPartner(tx.db, {
      code,
      name: input.name,
      kind: input.kind,
      baseUrl,
      jwks,
      agreement,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) {
      throw new ConflictError(
        `partner ${code} is already registered`,
        [{ path: "code", message: "already registered" }],
        "PARTNER_EXISTS",
      );
    }
    recordAudit(tx, {
      action: "partner.registered",
      entityType: "partner",
      entityId: code,
      data: {
        name: row.name,
        kind: row.kind,
        baseUrl,
        kids: jwks.keys.map((k) => k.kid),
        agreement,
      },
    });
    return partnerView(row);
  });
}
