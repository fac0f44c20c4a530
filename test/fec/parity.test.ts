import { describe, expect, it } from "vitest";
import { createStream } from "../../sim/engine/random.ts";
import { parityCode, parityDecode, parityEncode } from "../../sim/fec/parity.ts";

const random = createStream("test/fec/parity");

describe("XOR parity (RAID 5)", () => {
  it("decodes from any k of the k + 1 symbols, never from k - 1", () => {
    const code = parityCode(4, 5);
    expect(code.minimumSymbols).toBe(4);
    expect(code.decodesWith(3, random)).toBe(false);
    expect(code.decodesWith(4, random)).toBe(true);
    expect(code.decodesWith(5, random)).toBe(true);
  });

  it("the reference codec rebuilds any one lost symbol and gives up on two", () => {
    const k = 4;
    const source = Array.from({ length: k }, () =>
      Uint8Array.from({ length: 64 }, () => random.int(256)),
    );
    const coded = parityEncode(source);
    expect(coded).toHaveLength(k + 1);
    for (let lost = 0; lost <= k; lost++) {
      const held = coded.map((symbol, i) => (i === lost ? undefined : symbol));
      expect(parityDecode(held)).toEqual(source);
    }
    for (let a = 0; a <= k; a++) {
      for (let b = a + 1; b <= k; b++) {
        const held = coded.map((symbol, i) => (i === a || i === b ? undefined : symbol));
        expect(parityDecode(held)).toBeUndefined();
      }
    }
  });

  it("has exactly one parity stripe", () => {
    expect(() => parityCode(4, 6)).toThrow(/n must be k \+ 1 = 5/);
    expect(() => parityCode(4, 4)).toThrow(/n must be k \+ 1/);
    expect(() => parityCode(0, 1)).toThrow(/1 <= k/);
  });
});
