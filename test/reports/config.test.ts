import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { ConfigError, loadConfig } from "../../core/config";
import { ensureReportThreshold } from "../../core/reports/rebuild";
import { refreshAllReports } from "../../core/reports/refresh";
import { directWaybill } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator } from "../support/fixtures";

describe("CARAVAN_REPORT_MIN_PARTIES", () => {
  it("defaults to 3 and takes 3 to 16", () => {
    expect(loadConfig({}).CARAVAN_REPORT_MIN_PARTIES).toBe(3);
    expect(loadConfig({ CARAVAN_REPORT_MIN_PARTIES: "16" }).CARAVAN_REPORT_MIN_PARTIES).toBe(16);
  });

  it.each([
    ["2", "must be at least 3: k may only be raised"],
    ["0", "must be at least 3"],
    ["17", "must be at most 16: report cells count up to 16 distinct parties"],
    ["three", "CARAVAN_REPORT_MIN_PARTIES"],
  ])("refuses %s at start, saying why", (value, message) => {
    const start = () => loadConfig({ CARAVAN_REPORT_MIN_PARTIES: value });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow("CARAVAN_REPORT_MIN_PARTIES");
    expect(start).toThrow(message);
  });
});

describe("k = 4", () => {
  it("suppresses a cell of three shippers and three carriers that k = 3 shows", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const figures = async (k: number) => {
      const node = await createTestNode({ reportMinParties: k });
      const regulator = await createRegulator(node);
      for (let i = 0; i < 3; i++) {
        await directWaybill(node);
      }
      await refreshAllReports(systemCtxFactory(node.parts)("test"));
      const res = await node.call(
        "GET",
        `/v1/reports/flows?from=${day}&to=${day}&granularity=day&level=country`,
        { key: regulator.key },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const shown = await figures(3);
    expect(shown.rows).toMatchObject([{ waybills: 3, suppressed: 0 }]);
    const hidden = await figures(4);
    expect(hidden.k).toBe(4);
    expect(hidden.rows).toEqual([
      expect.objectContaining({ origin: "CN", destination: "KZ", suppressed: true }),
    ]);
    expect(hidden.rows[0]).not.toHaveProperty("waybills");
    expect(hidden.totals).toMatchObject({ waybills: 0, tonnes: 0 });
  });
});

describe("a node started with another k", () => {
  it("rebuilds the cells built with the old one before they are read", async () => {
    // Issued on two days of last month: a waybill not yet picked up counts on its issue day.
    const now = new Date();
    const days = [1, 2].map(
      (d) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, d, 6)),
    );
    let today = days[0] ?? now;
    const first = await createTestNode({ reportMinParties: 3, clock: { now: () => today } });
    const ctx = systemCtxFactory(first.parts)("test");
    // At start, as the node does: no cell yet, so k is only recorded.
    expect(await ensureReportThreshold(ctx)).toBe(false);
    // Three shippers on each of the two days: both day cells are published at k = 3 and their
    // month cell holds six; at k = 4 neither is.
    for (const day of days) {
      today = day;
      for (let i = 0; i < 3; i++) {
        await directWaybill(first);
      }
    }
    await refreshAllReports(ctx);
    expect(await ensureReportThreshold(ctx)).toBe(false);
    const iso = (d: Date | undefined) => d?.toISOString().slice(0, 10);
    const month = (node: TestNode, key: string) =>
      node.call(
        "GET",
        `/v1/reports/flows?from=${iso(days[0])}&to=${iso(days[1])}&granularity=month&level=country`,
        {
          key,
        },
      );
    const before = await month(first, (await createRegulator(first)).key);
    expect(before.body.rows).toMatchObject([{ waybills: 6, suppressed: 0 }]);

    const second = await createTestNode({ database: first.database, reportMinParties: 4 });
    const regulator = await createRegulator(second);
    // Read before the check, the month cell still holds the days k = 4 hides.
    expect((await month(second, regulator.key)).body.rows).toMatchObject([{ waybills: 6 }]);
    expect(await ensureReportThreshold(systemCtxFactory(second.parts)("test"))).toBe(true);
    const after = await month(second, regulator.key);
    expect(after.body.totals).toMatchObject({ waybills: 0 });
    expect(await ensureReportThreshold(systemCtxFactory(second.parts)("test"))).toBe(false);
  });
});
