import { describe, expect, it } from "vitest";
import { SimulationError } from "../../../sim/engine/simulator.ts";
import { MaxMinShares } from "../../../sim/network/fairShare/maxMinShares.ts";

/** Rates after a solve, and the flows whose rate changed (with their old rates). */
function solve(shares: MaxMinShares): Map<number, number> {
  const changed = new Map<number, number>();
  shares.solve((f, old) => changed.set(f, old));
  return changed;
}

describe("max-min fair shares", () => {
  it("fills the tightest link first and gives the rest of the others to their other flows", () => {
    // Link 0 (10) carries flows a and b; link 1 (4) carries b and c. Link 1 is the bottleneck:
    // b and c get 2 each; a gets what b leaves of link 0, 8.
    const shares = new MaxMinShares(Float64Array.from([10, 4]), 10);
    const a = shares.addFlow(0);
    const b = shares.addFlow(0);
    const c = shares.addFlow(0);
    shares.addLink(a, 0);
    shares.addLink(b, 0);
    shares.addLink(b, 1);
    shares.addLink(c, 1);
    expect(shares.pending).toBe(true);
    const changed = solve(shares);
    expect([shares.rate[a], shares.rate[b], shares.rate[c]]).toEqual([8, 2, 2]);
    expect(changed).toEqual(
      new Map([
        [b, 0],
        [c, 0],
        [a, 0],
      ]),
    );
    expect(shares.pending).toBe(false);
    // c ends: b has link 1 (4) to itself, still tighter than half of link 0 (5), so b gets 4
    // and a the other 6 of link 0.
    shares.removeFlow(c);
    expect(solve(shares)).toEqual(
      new Map([
        [a, 8],
        [b, 2],
      ]),
    );
    expect([shares.rate[a], shares.rate[b]]).toEqual([6, 4]);
  });

  it("recomputes only the component a change touches", () => {
    // Flows on links 0 and 1 share nothing: a new flow on link 1 leaves link 0's flow alone.
    const shares = new MaxMinShares(Float64Array.from([6, 6]), 10);
    const a = shares.addFlow(0);
    shares.addLink(a, 0);
    const b = shares.addFlow(0);
    shares.addLink(b, 1);
    solve(shares);
    const c = shares.addFlow(0);
    shares.addLink(c, 1);
    expect(solve(shares)).toEqual(
      new Map([
        [b, 6],
        [c, 0],
      ]),
    );
    expect([shares.rate[a], shares.rate[b], shares.rate[c]]).toEqual([6, 3, 3]);
  });

  it("lists a link's flows and refuses more flows than its limit, naming network.maxFlows", () => {
    const shares = new MaxMinShares(Float64Array.from([1]), 2);
    const a = shares.addFlow(0);
    const b = shares.addFlow(0);
    shares.addLink(a, 0);
    shares.addLink(b, 0);
    const onLink: number[] = [];
    for (let m = shares.firstOnLink(0); m >= 0; m = shares.nextOnLink(m)) {
      onLink.push(shares.flowOf(m));
    }
    expect(onLink.sort()).toEqual([a, b]);
    expect(() => shares.addFlow(5e6)).toThrow(SimulationError);
    expect(() => shares.addFlow(5e6)).toThrow(
      /^network\.maxFlows: 2 flows in progress at once at 5 s/,
    );
  });
});
