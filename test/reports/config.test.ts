import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { ConfigError, loadConfig } from "../../core/config";
import { refreshAllReports } from "../../core/reports/refresh";
import { type Bidder, carrierWithTruck, loadBody } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { createRegulator, registerShipper } from "../support/fixtures";

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
        const shipper = await registerShipper(node);
        const carrier: Bidder = await carrierWithTruck(node);
        const res = await node.call("POST", "/v1/waybills", {
          key: shipper.key,
          body: {
            carrierId: carrier.id,
            origin: "CN-URC",
            destination: "KZ-ALA",
            cargo: loadBody().cargo,
            price: { amount: 1000, currency: "CNY" },
            mode: "road",
            pickupAt: new Date(Date.UTC(2030, 0, 1)).toISOString(),
            deliveryAt: new Date(Date.UTC(2030, 0, 3)).toISOString(),
          },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
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
