import { createRoute } from "@hono/zod-openapi";
import { REPORT_BUILDERS } from "../../../core/reports/builders";
import { answerPartnerReport } from "../../../core/reports/for-partner";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { json } from "../../schemas/common";
import { PartnerReportBody, PartnerReportQuery, ReportNameParam } from "../../schemas/reports";

const route = createRoute({
  method: "get",
  path: "/v1/federation/reports/{name}",
  tags: ["Federation"],
  summary: "This node's own report, as parts a partner combines (signed, no API key)",
  description:
    "Signed by the calling partner like the catch-up feed (`{webhook-id}.{webhook-timestamp}.{path and query}`, its code in `caravan-node`, active, within five minutes). Answers, per row of the report, the sums over the cells published at this node (at least k distinct shippers and carriers here) and how many cells it left out: aggregates only, never a record. Refused when the agreement shares no record types.",
  request: { params: ReportNameParam, query: PartnerReportQuery },
  responses: { 200: json(PartnerReportBody, "This node's parts of the report"), ...errorResponses },
});

export function registerFederationReport(app: App): void {
  app.openapi(route, async (c) => {
    const { name } = c.req.valid("param");
    const params = c.req.valid("query");
    const url = new URL(c.req.url);
    const answer = await answerPartnerReport(
      c.get("ctx"),
      {
        id: c.req.header("webhook-id"),
        timestamp: c.req.header("webhook-timestamp"),
        signature: c.req.header("webhook-signature"),
        sender: c.req.header("caravan-node"),
        pathAndQuery: `${url.pathname}${url.search}`,
        name,
        params,
        lang: "en",
      },
      REPORT_BUILDERS,
    );
    return c.json(answer, 200);
  });
}
