import { z } from "@hono/zod-openapi";
import { REPORT_NAMES } from "../../core/reports/query";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "is not a calendar date");

/** An area at any level: a country (`KZ`), a province (`650000`) or a prefecture (`650100`). */
const area = z
  .string()
  .regex(/^([A-Z]{2}|\d{6})$/, "must be a country code (KZ) or a GB/T 2260 code (650000, 650100)");

export const ReportNameParam = z.object({
  name: z.enum(REPORT_NAMES).openapi({ param: { name: "name", in: "path" } }),
});

/** The parameters a report takes, wherever it is asked for. */
const reportParams = {
  from: day.openapi({ example: "2026-01-01", description: "First day, inclusive" }),
  to: day.openapi({ example: "2026-12-31", description: "Last day, inclusive" }),
  granularity: z.enum(["day", "week", "month"]).default("month"),
  level: z.enum(["country", "province", "prefecture"]).default("province"),
  mode: z.enum(["road", "rail", "sea", "air"]).optional(),
  hsChapter: z
    .string()
    .regex(/^\d{2}$/, "must be two digits")
    .optional(),
  corridor: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, "must be a corridor id")
    .optional(),
  origin: area.optional(),
  destination: area.optional(),
};

function checkPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx): void {
  if (q.to < q.from)
    ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
  const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
  if (days > 366 * 3)
    ctx.addIssue({ code: "custom", path: ["to"], message: "at most three years after from" });
}

export const ReportQuery = z
  .strictObject({
    ...reportParams,
    format: z.enum(["json", "csv"]).optional(),
    lang: z.enum(["zh", "en"]).optional(),
    scope: z.enum(["local", "federation"]).default("local").openapi({
      description:
        "`federation`: this node's figures combined with every active partner's own, each suppressed at its node",
    }),
  })
  .superRefine(checkPeriod);

/** What a partner asks for: the report's parameters only; it labels the rows itself. */
export const PartnerReportQuery = z.strictObject(reportParams).superRefine(checkPeriod);

const Value = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ReportBody = z
  .object({
    report: z.enum(REPORT_NAMES),
    params: z.record(z.string(), z.unknown()),
    k: z
      .number()
      .int()
      .openapi({ description: "Distinct shippers and carriers a cell needs to be shown" }),
    generatedAt: z.string(),
    freshness: z.object({
      dirty: z
        .number()
        .int()
        .openapi({ description: "Waybills changed but not yet in the rollups" }),
      oldestDirtySeconds: z.number(),
    }),
    rows: z.array(z.record(z.string(), Value)).openapi({
      description:
        "One row per period and key; `suppressed` is how many cells were left out, or `true` when all were (no figures then)",
    }),
    totals: z.record(z.string(), Value).openapi({ description: "Over published cells only" }),
    scope: z.literal("federation").optional(),
    nodes: z
      .array(
        z.object({
          code: z.string(),
          answered: z.boolean(),
          k: z.number().int().optional(),
          generatedAt: z.string().optional(),
          freshness: z.object({ dirty: z.number(), oldestDirtySeconds: z.number() }).optional(),
          reason: z.string().optional(),
        }),
      )
      .optional()
      .openapi({
        description:
          "With `scope=federation`: this node and each active partner, whether it answered in time and how fresh its figures are",
      }),
  })
  .openapi("Report");

const Part = z.object({
  table: z.enum(["report_cells", "report_link_cells", "report_port_cells"]),
  key: z.record(z.string(), z.string()),
  sums: z.record(z.string(), z.number()).optional(),
  hists: z.record(z.string(), z.array(z.number().int())).optional(),
  suppressed: z.number().int(),
});

export const PartnerReportBody = z
  .object({
    protocolVersion: z.string(),
    from: z.string(),
    to: z.string(),
    report: z.enum(REPORT_NAMES),
    k: z.number().int(),
    generatedAt: z.string(),
    freshness: z.object({ dirty: z.number(), oldestDirtySeconds: z.number() }),
    parts: z.array(Part).openapi({
      description:
        "Per row of the report: sums and histograms over the cells published at this node, keyed by the row's period, areas, mode, corridor, link or port; no shipper, carrier or waybill",
    }),
  })
  .openapi("FederationReport");
