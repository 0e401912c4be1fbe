import { selectPartner, selectPartners } from "../../db/queries/federation";
import type { Ctx } from "../context";
import { NotFoundError } from "../errors";
import { requirePartnerReader } from "./access";
import { type PartnerView, partnerView } from "./partner-view";

/** `GET /v1/partners`: every partner node, by code (a node has a handful). */
export async function listPartners(ctx: Ctx): Promise<{ items: PartnerView[] }> {
  requirePartnerReader(ctx);
  return { items: (await selectPartners(ctx.db)).map(partnerView) };
}

/** `GET /v1/partners/{code}`. */
export async function getPartner(ctx: Ctx, input: { code: string }): Promise<PartnerView> {
  requirePartnerReader(ctx);
  const row = await selectPartner(ctx.db, input.code);
  if (!row) throw NotFoundError.of("partner", input.code);
  return partnerView(row);
}
