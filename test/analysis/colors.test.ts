import { describe, expect, it } from "vitest";
import { assignColors, hashName, PALETTE, runDash, strategyColor } from "../../analysis/colors.ts";

describe("strategy colours", () => {
  it("are a pure function of the name", () => {
    expect(strategyColor("tree")).toBe("#4e79a7");
    expect(strategyColor("client-server")).toBe("#79706e");
    expect(strategyColor("my-new-strategy")).toBe(strategyColor("my-new-strategy"));
    expect(PALETTE).toContain(strategyColor("my-new-strategy"));
    // FNV-1a test vector: stable across platforms and Node versions
    expect(hashName("a")).toBe(0xe40c292c);
  });

  it("do not depend on the other strategies or their order when names don't collide", () => {
    const one = assignColors(["tree", "swarm", "striped", "client-server"]);
    const two = assignColors(["client-server", "tree"]);
    const three = assignColors(["striped", "tree", "zeta-gossip"]);
    for (const [name, color] of two) expect(one.get(name)).toBe(color);
    expect(three.get("tree")).toBe(one.get("tree"));
    expect(three.get("striped")).toBe(one.get("striped"));
    for (const [name, color] of one) expect(color).toBe(strategyColor(name));
  });

  it("stay distinct within a report: a colliding name takes the next free colour", () => {
    const names = Array.from({ length: 10 }, (_, i) => `strategy-${i}`);
    const colors = assignColors(names);
    expect(new Set(colors.values()).size).toBe(10);
    // the same set in another order gives the same colours
    expect(assignColors([...names].reverse())).toEqual(colors);
  });

  it("give the first run solid lines and later runs dashes", () => {
    expect(runDash(0)).toBeNull();
    expect(runDash(1)).not.toBeNull();
    expect(runDash(1)).not.toBe(runDash(2));
  });
});
