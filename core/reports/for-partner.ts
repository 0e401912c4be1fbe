import type { Ctx } from "../context";
import { ForbiddenError } from "../errors";
import { authenticateSigned } from "../federation/inbox-auth";
import { PROTOCOL_VERSION } from "../federation/vocabulary";
import { recordPartnerAccess } from "./access";
import { partOf, type ReportPart } from "./parts";
import {
  assembleReport,
  loadReportCells,
  type ReportBuilder,
  type ReportName,
  type ReportRequest,
  type ReportResult,
} from "./query";

/** What a node answers a partner's report request: its own parts, already suppressed. */
export interface PartnerReport {
  protocolVersion: string;
  from: string;
  to: string;
  report: ReportName;
  k: number;
  generatedAt: string;
  freshness: ReportResult["freshness"];
  parts: ReportPart[];
}

/**
 * `GET /v1/federation/reports/{name}`: the partner that signed the request (as for the
 * catch-up feed) reads this node's own report as parts: sums over published cells, no
 * shipper, carrier or waybill in them. An agreement that shares no record types shares no
 * reports either: the operator's one switch, no new field.
 */
export async function answerPartnerReport(
  ctx: Ctx,
  input: ReportRequest & {
    id: string | undefined;
    timestamp: string | undefined;
    signature: string | undefined;
    sender: string | undefined;
    pathAndQuery: string;
  },
  builders: Record<ReportName, ReportBuilder>,
): Promise<PartnerReport> {
  const partner = await authenticateSigned(ctx, { ...input, payload: input.pathAndQuery });
  if (partner.agreement.recordTypes.length === 0) {
    throw new ForbiddenError(`the agreement with ${partner.code} shares nothing, reports neither`);
  }
  const request = { name: input.name, params: input.params, lang: input.lang };
  const parts: ReportPart[] = [];
  const built = assembleReport(ctx, request, builders, await loadReportCells(ctx, request), (g) =>
    parts.push(partOf(input.name, g)),
  );
  await recordPartnerAccess(ctx, partner.code, {
    route: `GET /v1/federation/reports/${input.name}`,
    entityType: "reports",
    entityId: input.name,
    filters: Object.fromEntries(
      Object.entries(input.params)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ),
  });
  return {
    protocolVersion: PROTOCOL_VERSION,
    from: ctx.nodeCode ?? "",
    to: partner.code,
    report: built.report,
    k: built.k,
    generatedAt: built.generatedAt,
    freshness: built.freshness,
    parts,
  };
}
