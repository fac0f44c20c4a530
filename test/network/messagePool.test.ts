import { describe, expect, it } from "vitest";
import { MessagePool, MessageState } from "../../sim/network/messagePool.ts";

// A serial above 2^45 and a fraction: values an overlap with an Int32 slot would corrupt.
const SERIAL = 2 ** 45 + 1;

/** A new message whose fields derive from the `i`-th handle used, all unlike its neighbours'. */
function fill(pool: MessagePool, i: number): number {
  const h = pool.allocate(
    0,
    i % 7,
    i + 1,
    i % 3 === 0 ? -1 : i + 2,
    1000 + i,
    SERIAL + i,
    i + 0.25,
    -i,
  );
  pool.setState(h, MessageState.Scheduled);
  pool.setDone(h, 1e12 + i);
  return h;
}

/** Checks that handle h still holds what {@link fill} wrote for the `i`-th. */
function expectFilled(pool: MessagePool, h: number, i: number): void {
  expect([pool.type(h), pool.from(h), pool.to(h), pool.bytes(h)]).toEqual([
    i % 7,
    i + 1,
    i % 3 === 0 ? -1 : i + 2,
    1000 + i,
  ]);
  expect([pool.p0(h), pool.p1(h), pool.p2(h), pool.done(h)]).toEqual([
    SERIAL + i,
    i + 0.25,
    -i,
    1e12 + i,
  ]);
  expect(pool.state(h)).toBe(MessageState.Scheduled);
}

describe("MessagePool", () => {
  it("keeps every field of neighbouring records apart, across growth past the first 1024", () => {
    const pool = new MessagePool(10_000);
    const handles: number[] = [];
    for (let i = 0; i < 3000; i++) handles.push(fill(pool, i));
    expect(new Set(handles).size).toBe(3000);
    expect(pool.live).toBe(3000);
    for (let i = 0; i < handles.length; i++) expectFilled(pool, handles[i], i);
  });

  it("reuses the most recently released handle first and marks released handles free", () => {
    const pool = new MessagePool(100);
    const [a, b, c] = [fill(pool, 0), fill(pool, 1), fill(pool, 2)];
    pool.release(a);
    pool.release(c);
    expect(pool.state(a)).toBe(MessageState.Free);
    expect(pool.live).toBe(1);
    expect([fill(pool, 3), fill(pool, 4), fill(pool, 5)]).toEqual([c, a, 3]);
    expect(pool.extent).toBe(4);
    // Releasing and reusing others never touches a live record.
    expectFilled(pool, b, 1);
  });

  it("stops at the limit with an error naming network.maxInFlightMessages", () => {
    const pool = new MessagePool(2);
    fill(pool, 0);
    fill(pool, 1);
    expect(() => pool.allocate(1.5e6, 0, 1, 2, 100, 0, 0, 0)).toThrow(
      /network\.maxInFlightMessages: 2 .* at 1\.5 s/,
    );
  });
});
