import { createRoute, z } from "@hono/zod-openapi";
import { REPORT_BUILDERS } from "../../../core/reports/builders";
import { toCsv } from "../../../core/reports/csv";
import { runFederatedReport } from "../../../core/reports/federated";
import type { Lang } from "../../../core/reports/geography";
import { runReport } from "../../../core/reports/query";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer } from "../../schemas/common";
import { ReportBody, ReportNameParam, ReportQuery } from "../../schemas/reports";

const route = createRoute({
  method: "get",
  path: "/v1/reports/{name}",
  tags: ["Reports"],
  summary: "A de-identified report on freight flows (regulators and admins)",
  description:
    "flows, corridors, modal-split, border-ports, performance, prices, emissions or carec, from rollup cells. A cell with fewer than k distinct shippers or carriers is left out of every figure and total and counted in `suppressed`. CSV with `?format=csv` or `Accept: text/csv`; Chinese or English labels by `?lang=` or `Accept-Language`. Each regulator read is recorded in the access log. With `scope=federation`, every active partner is asked in parallel for its own figures (suppressed there, at its own k), which are combined with this node's; `nodes` lists who answered and how fresh, and a partner that does not answer in 3 s is listed as missing.",
  security: bearer,
  request: { params: ReportNameParam, query: ReportQuery },
  responses: {
    200: {
      description: "The report",
      content: {
        "application/json": { schema: ReportBody },
        "text/csv": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

function langOf(query: string | undefined, header: string | undefined): Lang {
  if (query === "zh" || query === "en") return query;
  const first = (header ?? "").split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh";
}

export function registerGetReport(app: App): void {
  app.openapi(route, async (c) => {
    const { name } = c.req.valid("param");
    const { format, lang, scope, ...params } = c.req.valid("query");
    const request = { name, params, lang: langOf(lang, c.req.header("accept-language")) };
    const result =
      scope === "federation"
        ? await runFederatedReport(c.get("ctx"), request, REPORT_BUILDERS)
        : await runReport(c.get("ctx"), request, REPORT_BUILDERS);
    const csv =
      format === "csv" || (!format && (c.req.header("accept") ?? "").includes("text/csv"));
    if (csv) {
      return c.body(toCsv(result.rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}.csv"`,
      });
    }
    return c.json(result, 200);
  });
}
