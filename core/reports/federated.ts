import { z } from "zod";
import { selectActivePartners } from "../../db/queries/federation";
import type { CellTableName } from "../../db/queries/reports";
import type { FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { egressRequest, PUBLIC_ONLY } from "../egress";
import { signatureHeader } from "../federation/deliver";
import { PROTOCOL_VERSION } from "../federation/vocabulary";
import { newId } from "../ids";
import { cellOfPart, PART_HISTS, PART_KEY_COLUMNS, PART_SUMS, type ReportPart } from "./parts";
import {
  assembleReport,
  type Cell,
  loadReportCells,
  type ReportBuilder,
  type ReportName,
  type ReportParams,
  type ReportRequest,
  type ReportResult,
  requireReportReader,
} from "./query";

/** How long the report waits for a partner before listing it as missing. */
const PARTNER_REPORT_TIMEOUT_MS = 3_000;
/** A year of daily parts of a busy node stays well under this. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export type NodeAnswer =
  | {
      code: string;
      answered: true;
      k: number;
      generatedAt: string;
      freshness: ReportResult["freshness"];
    }
  | { code: string; answered: false; reason: string };

export interface FederatedReport extends ReportResult {
  scope: "federation";
  nodes: NodeAnswer[];
}

const TABLES = ["report_cells", "report_link_cells", "report_port_cells"] as const;

const PartnerReportBody = z.object({
  protocolVersion: z.string(),
  from: z.string(),
  to: z.string(),
  report: z.string(),
  k: z.number().int(),
  generatedAt: z.string(),
  freshness: z.object({ dirty: z.number(), oldestDirtySeconds: z.number() }),
  parts: z
    .array(
      z.object({
        table: z.enum(TABLES),
        key: z.record(z.string(), z.string().max(100)),
        sums: z.record(z.string(), z.number()).optional(),
        hists: z.record(z.string(), z.array(z.number().int().min(0)).max(64)).optional(),
        suppressed: z.number().int().min(0),
      }),
    )
    .max(500_000),
});

/** The request's parameters as the partner's route reads them, in a fixed order. */
function reportQueryString(params: ReportParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) query.set(name, String(value));
  }
  query.sort();
  return query.toString();
}

/** Only what a part may carry: key columns, its table's sums and histograms; no other name. */
function keepDeclared(part: z.infer<typeof PartnerReportBody>["parts"][number]): ReportPart {
  const pick = <T>(from: Record<string, T> | undefined, cols: readonly string[]) =>
    from && Object.fromEntries(cols.flatMap((c) => (c in from ? [[c, from[c] as T]] : [])));
  return {
    table: part.table,
    key: pick(part.key, PART_KEY_COLUMNS) ?? {},
    sums: pick(part.sums, PART_SUMS[part.table]),
    hists: pick(part.hists, PART_HISTS[part.table]),
    suppressed: part.suppressed,
  };
}

/** One signed GET of the partner's own report, at its registered address only. */
async function fetchPartnerReport(
  ctx: Ctx,
  partner: FederationPartner,
  request: ReportRequest,
  timeoutMs: number,
): Promise<z.infer<typeof PartnerReportBody>> {
  const pathAndQuery = `/v1/federation/reports/${request.name}?${reportQueryString(request.params)}`;
  const id = newId("fr");
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  const res = await egressRequest(ctx.egress ?? PUBLIC_ONLY, `${partner.baseUrl}${pathAndQuery}`, {
    method: "GET",
    timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    headers: {
      accept: "application/json",
      "user-agent": "caravan-federation/1",
      "caravan-node": ctx.nodeCode ?? "",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signatureHeader(ctx, `${id}.${timestamp}.${pathAndQuery}`),
    },
  });
  if (res.status !== 200) throw new Error(`answered ${res.status}`);
  const body = PartnerReportBody.parse(JSON.parse(res.body ?? ""));
  if (body.protocolVersion !== PROTOCOL_VERSION) throw new Error(`speaks ${body.protocolVersion}`);
  if (body.from !== partner.code || body.to !== ctx.nodeCode || body.report !== request.name) {
    throw new Error("answered for another node or report");
  }
  return body;
}

/** A partner's parts, or why it is missing: a partner that fails never fails the report. */
async function askPartner(
  ctx: Ctx,
  partner: FederationPartner,
  request: ReportRequest,
  timeoutMs: number,
): Promise<{ node: NodeAnswer; parts: ReportPart[] }> {
  try {
    const body = await fetchPartnerReport(ctx, partner, request, timeoutMs);
    const { k, generatedAt, freshness } = body;
    return {
      node: { code: partner.code, answered: true, k, generatedAt, freshness },
      parts: body.parts.map(keepDeclared),
    };
  } catch (err) {
    const timedOut = err instanceof Error && ["TimeoutError", "AbortError"].includes(err.name);
    const reason = timedOut
      ? `no answer within ${timeoutMs} ms`
      : err instanceof Error
        ? err.message
        : String(err);
    return { node: { code: partner.code, answered: false, reason }, parts: [] };
  }
}

/**
 * `GET /v1/reports/{name}?scope=federation`: this node's cells and every active partner's
 * parts (asked in parallel, each for at most `timeoutMs`) through the same report code. Each
 * part was suppressed at its node, so the combined figures are sums of k-anonymous sums.
 */
export async function runFederatedReport(
  ctx: Ctx,
  input: ReportRequest,
  builders: Record<ReportName, ReportBuilder>,
  opts: { timeoutMs?: number } = {},
): Promise<FederatedReport> {
  requireReportReader(ctx);
  const timeoutMs = opts.timeoutMs ?? PARTNER_REPORT_TIMEOUT_MS;
  const [loaded, answers] = await Promise.all([
    loadReportCells(ctx, input),
    selectActivePartners(ctx.db).then((partners) =>
      Promise.all(partners.map((p) => askPartner(ctx, p, input, timeoutMs))),
    ),
  ]);
  const byTable: Record<string, Cell[]> = {};
  for (const [table, cells] of Object.entries(loaded.byTable)) byTable[table] = [...cells];
  for (const part of answers.flatMap((a) => a.parts)) {
    const table: CellTableName = part.table;
    const cells = byTable[table] ?? [];
    cells.push(cellOfPart(part));
    byTable[table] = cells;
  }
  const report = assembleReport(ctx, input, builders, { ...loaded, byTable });
  const self: NodeAnswer = {
    code: ctx.nodeCode ?? "",
    answered: true,
    k: report.k,
    generatedAt: report.generatedAt,
    freshness: report.freshness,
  };
  return { ...report, scope: "federation", nodes: [self, ...answers.map((a) => a.node)] };
}
