import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readManifest } from "../../sim/experiments/sweepResults.ts";
import {
  readableSummarySchema,
  strategySummarySchema,
  summarySchema,
} from "../../sim/results/schema.ts";
import {
  checkBeforeWriting,
  ResultFileError,
  schemaProblem,
  validated,
} from "../../sim/results/validate.ts";
import { RUN_A } from "../analysis/helpers.ts";

/** A summary.json of the first format (the analysis fixtures were written by it). */
const earlier = JSON.parse(readFileSync(join(RUN_A, "summary.json"), "utf8"));

const distribution = { mean: 1, p50: 1, p95: 2, p99: 2, max: 2 };
const entry = {
  type: "tree-relay",
  peers: 10,
  startupLatencySeconds: distribution,
  startupLatencyOfStartedSeconds: distribution,
  neverStarted: 0,
  neverStartedShare: 0,
  playingShare: 0.9,
  stallsPerMinute: 0.5,
  stallRatio: 0.01,
  continuityIndex: 0.99,
  playbackLagSeconds: distribution,
  playbackLagOfStartedSeconds: distribution,
  sourceUploadShare: 0.3,
  overheadRatio: 0.02,
  rejoinsPerPeerHour: 1,
  recoverySeconds: { mean: null, p50: null, p95: null, p99: null, max: null },
  events: 1000,
  controlBytes: 10,
  dataBytes: 1000,
  duplicateBytes: 0,
  droppedMessages: 0,
  meanTreeDepth: 2.5,
};

describe("the result schema", () => {
  it("accepts a summary entry with strategy-specific numbers and distributions", () => {
    expect(schemaProblem(strategySummarySchema, entry)).toBeUndefined();
    expect(
      schemaProblem(strategySummarySchema, { ...entry, seekLatencySeconds: distribution }),
    ).toBeUndefined();
  });

  it("names the field path of the first problem, with list indices", () => {
    const summary = {
      scenario: "x",
      seed: 1,
      durationSeconds: 60,
      strategies: { tree: entry },
      replications: 2,
      seeds: [1, 2],
      pairedDifferences: [
        {
          a: "x",
          b: "y",
          metric: "stallRatio",
          mean: 0,
          halfWidth95: 0,
          n: -1,
          significant: false,
        },
      ],
    };
    expect(schemaProblem(summarySchema, summary)).toBe(
      "pairedDifferences[0].n: expected at least 0, got -1",
    );
    expect(schemaProblem(summarySchema, { ...summary, pairedDifferences: [], extra: 1 })).toBe(
      'unknown field(s) "extra"',
    );
    expect(
      schemaProblem(strategySummarySchema, {
        ...entry,
        recoverySeconds: { ...distribution, p90: 1 },
      }),
    ).toBe('recoverySeconds: unknown field(s) "p90"');
  });

  it("reads results of the first format, which the writer's schema refuses", () => {
    expect(schemaProblem(readableSummarySchema, earlier)).toBeUndefined();
    expect(schemaProblem(summarySchema, earlier)).toBe(
      "strategies.client-server.startupLatencyOfStartedSeconds: missing (expected an object)",
    );
  });

  it("refuses to write a figure that breaks its definition (a share above 1)", () => {
    const summary = {
      scenario: "x",
      seed: 1,
      durationSeconds: 60,
      strategies: { tree: { ...entry, sourceUploadShare: 1.25 } },
    };
    expect(() => checkBeforeWriting(summarySchema, "summary.json", summary)).toThrow(
      "refusing to write summary.json: strategies.tree.sourceUploadShare: expected at most 1, got 1.25",
    );
  });

  it("throws a ResultFileError (exit 2) naming the file when a file read does not match", () => {
    const read = () => validated(summarySchema, "r/summary.json", { scenario: "" });
    expect(read).toThrow(ResultFileError);
    expect(read).toThrow("r/summary.json: scenario: expected at least 1 character");
  });

  it("checks sweep.json when a sweep directory is resumed or merged", () => {
    const dir = mkdtempSync(join(tmpdir(), "sweep-schema-"));
    writeFileSync(join(dir, "sweep.json"), JSON.stringify({ name: "s", replications: "3" }));
    expect(() => readManifest(dir)).toThrow(
      `${join(dir, "sweep.json")}: fingerprint: missing (expected a string)`,
    );
  });
});
