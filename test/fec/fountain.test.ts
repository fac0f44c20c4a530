import { describe, expect, it } from "vitest";
import { createStream, type RandomStream } from "../../sim/engine/random.ts";
import { decodesAfterFailure, type ErasureCode } from "../../sim/fec/code.ts";
import { fountainCode } from "../../sim/fec/fountain.ts";
import { CODE_NAMES, CODES, createCode, DEFAULT_CODE_PARAMETERS } from "../../sim/fec/index.ts";

/**
 * Feeds `blocks` blocks their symbols one at a time, as a peer's decoder sees them, asking the
 * code once per arriving symbol from the first decodable count on (as the strategy does), and
 * returns how many blocks were still undecoded after each count in `counts`.
 */
function failuresAfter(
  code: ErasureCode,
  counts: number[],
  blocks: number,
  random: RandomStream,
): number[] {
  const last = Math.max(...counts);
  const failures = counts.map(() => 0);
  for (let b = 0; b < blocks; b++) {
    let decodedAt = Number.POSITIVE_INFINITY;
    for (let received = code.minimumSymbols; received <= last; received++) {
      if (code.decodesWith(received, random)) {
        decodedAt = received;
        break;
      }
    }
    counts.forEach((count, i) => {
      if (decodedAt > count) failures[i]++;
    });
  }
  return failures;
}

/** Asserts an empirical frequency lies within 3 standard errors of p. */
function expectWithinThreeStandardErrors(failures: number, trials: number, p: number) {
  const standardError = Math.sqrt((p * (1 - p)) / trials);
  const frequency = failures / trials;
  expect(Math.abs(frequency - p)).toBeLessThanOrEqual(3 * standardError);
}

describe("RaptorQ-style fountain model", () => {
  it("fails with k, k + 1, k + 2 symbols at RFC 6330's 1e-2, 1e-4, 1e-6 (3 standard errors)", () => {
    const code = fountainCode({
      k: 8,
      n: 12,
      model: "raptorq",
      epsilon: 0,
      failureRatio: DEFAULT_CODE_PARAMETERS.raptorqFailureRatio,
    });
    expect(code.failureProbability(7)).toBe(1);
    expect(code.failureProbability(8)).toBeCloseTo(1e-2, 15);
    expect(code.failureProbability(9)).toBeCloseTo(1e-4, 15);
    expect(code.failureProbability(10)).toBeCloseTo(1e-6, 15);
    const blocks = 3_000_000;
    const failures = failuresAfter(code, [8, 9, 10], blocks, createStream("test/fountain/rfc"));
    expectWithinThreeStandardErrors(failures[0], blocks, 1e-2);
    expectWithinThreeStandardErrors(failures[1], blocks, 1e-4);
    expectWithinThreeStandardErrors(failures[2], blocks, 1e-6);
    // Not vacuous: failures at k were seen in number (about 30,000) and at k + 1 (about 300).
    expect(failures[0]).toBeGreaterThan(25_000);
    expect(failures[1]).toBeGreaterThan(200);
  });

  it.each([0.3, 0.05])("matches a configured failure ratio %f at k, k + 1, k + 2", (ratio) => {
    const code = fountainCode({ k: 16, n: 20, model: "raptorq", epsilon: 0, failureRatio: ratio });
    const blocks = 400_000;
    const failures = failuresAfter(
      code,
      [16, 17, 18],
      blocks,
      createStream(`test/fountain/${ratio}`),
    );
    [ratio, ratio ** 2, ratio ** 3].forEach((p, i) => {
      expectWithinThreeStandardErrors(failures[i], blocks, p);
    });
  });

  it("different seeds give different draws, the same seed the same ones", () => {
    const code = fountainCode({ k: 4, n: 6, model: "raptorq", epsilon: 0, failureRatio: 0.5 });
    const run = (seed: string) => failuresAfter(code, [4, 5], 2000, createStream(seed));
    expect(run("a")).toEqual(run("a"));
    expect(run("a")).not.toEqual(run("b"));
  });
});

describe("LT fountain model", () => {
  it("needs ceil(k (1 + epsilon)) symbols, deterministically", () => {
    const never: RandomStream = {
      next: () => {
        throw new Error("an exact rule must not draw");
      },
      int: () => {
        throw new Error("an exact rule must not draw");
      },
    };
    const code = fountainCode({ k: 100, n: 120, model: "lt", epsilon: 0.05, failureRatio: 0.01 });
    expect(code.minimumSymbols).toBe(105);
    expect(code.decodesWith(104, never)).toBe(false);
    expect(code.decodesWith(105, never)).toBe(true);
    // k (1 + epsilon) exactly whole: no rounding up.
    expect(
      fountainCode({ k: 8, n: 10, model: "lt", epsilon: 0.25, failureRatio: 0.01 }).minimumSymbols,
    ).toBe(10);
    expect(
      fountainCode({ k: 8, n: 10, model: "lt", epsilon: 0.2, failureRatio: 0.01 }).minimumSymbols,
    ).toBe(10);
    expect(
      fountainCode({ k: 8, n: 10, model: "lt", epsilon: 0, failureRatio: 0.01 }).minimumSymbols,
    ).toBe(8);
  });

  it("rejects n below what the decoder needs", () => {
    expect(() =>
      fountainCode({ k: 8, n: 9, model: "lt", epsilon: 0.2, failureRatio: 0.01 }),
    ).toThrow(/n must be at least 10/);
    expect(() =>
      fountainCode({ k: 8, n: 7, model: "raptorq", epsilon: 0, failureRatio: 0.01 }),
    ).toThrow(/n >= k/);
  });
});

describe("sequential decode draws", () => {
  it("telescope to the code's failure curve whatever its shape", () => {
    const curve = [1, 1, 0.6, 0.25, 0.1, 0];
    const code: ErasureCode = {
      name: "test",
      sourceSymbols: 2,
      codedSymbols: 5,
      minimumSymbols: 2,
      failureProbability: (r) => curve[Math.min(r, 5)],
      decodesWith: (r, random) => decodesAfterFailure(code, r, random),
    };
    const blocks = 200_000;
    const failures = failuresAfter(code, [2, 3, 4, 5], blocks, createStream("test/curve"));
    [0.6, 0.25, 0.1].forEach((p, i) => {
      expectWithinThreeStandardErrors(failures[i], blocks, p);
    });
    expect(failures[3]).toBe(0);
  });
});

describe("code index", () => {
  it("names every family and builds each from scenario parameters", () => {
    expect(CODE_NAMES).toEqual(["parity", "reed-solomon", "fountain"]);
    for (const name of CODE_NAMES) {
      const code = createCode(name, { ...DEFAULT_CODE_PARAMETERS, k: 4, n: 5 });
      expect(code.name).toBe(name);
      expect(code.sourceSymbols).toBe(4);
      expect(code.codedSymbols).toBe(5);
      expect(CODES[name]).toBeTypeOf("function");
    }
  });
});
