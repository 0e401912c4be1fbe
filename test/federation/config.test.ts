import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../core/config";

describe("federation configuration", () => {
  it("has defaults that make a node describable", () => {
    const config = loadConfig({});
    expect(config.CARAVAN_NODE_KIND).toBe("regional");
    expect(config.CARAVAN_NODE_KEY_GRACE_HOURS).toBe(72);
    expect(config.CARAVAN_NODE_NAME).toBeUndefined();
  });

  it("reads name, kind and grace hours", () => {
    const config = loadConfig({
      CARAVAN_NODE_NAME: " Caravan Kazakhstan ",
      CARAVAN_NODE_KIND: "belt_and_road",
      CARAVAN_NODE_KEY_GRACE_HOURS: "24",
    });
    expect(config).toMatchObject({
      CARAVAN_NODE_NAME: "Caravan Kazakhstan",
      CARAVAN_NODE_KIND: "belt_and_road",
      CARAVAN_NODE_KEY_GRACE_HOURS: 24,
    });
  });

  it.each([
    ["CARAVAN_NODE_KIND", "global"],
    ["CARAVAN_NODE_KEY_GRACE_HOURS", "-1"],
    ["CARAVAN_NODE_KEY_GRACE_HOURS", "soon"],
  ])("refuses %s=%s by name", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
