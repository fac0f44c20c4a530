import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readResults } from "../../analysis/readResults.ts";
import type { Results } from "../../analysis/types.ts";
import {
  columnKinds,
  eventRowSchema,
  gaugeRowSchema,
  PEER_COLUMNS,
  peerRowSchema,
  timeseriesRowSchema,
} from "../../sim/results/csvFiles.ts";
import { renderResults } from "../../sim/run/output.ts";
import { runScenario } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { TINY } from "../experiments/helpers.ts";

describe("the CSV result files' schema", () => {
  it("gives each column a cell kind: names, free text, numbers, optional numbers, flags", () => {
    const peers = new Map(columnKinds(peerRowSchema));
    expect(peers.get("strategy")).toBe("name");
    expect(peers.get("joinSeconds")).toBe("number");
    expect(peers.get("leaveSeconds")).toBe("number?");
    expect(peers.get("abrupt")).toBe("flag");
    expect(new Map(columnKinds(eventRowSchema)).get("detail")).toBe("text");
    expect(new Map(columnKinds(gaugeRowSchema)).get("peer")).toBe("number?");
  });

  describe("a run written and read back", () => {
    let files: Map<string, string>;
    let read: Results;
    beforeAll(async () => {
      const scenario = parseScenario(TINY, "tiny.yaml");
      files = renderResults(runScenario(scenario), { version: "test", gitCommit: null });
      const dir = mkdtempSync(join(tmpdir(), "csv-schema-"));
      for (const [name, text] of files) writeFileSync(join(dir, name), text);
      read = await readResults(dir);
    });

    it("has the schema's columns in its header, and flags written 1 or 0", () => {
      const [header, ...rows] = files.get("peers.csv")!.trim().split("\n");
      expect(header.split(",")).toEqual(PEER_COLUMNS);
      const abrupt = PEER_COLUMNS.indexOf("abrupt");
      const flags = new Set(rows.map((row) => row.split(",")[abrupt]));
      expect([...flags].sort()).toEqual(["0", "1"]);
    });

    it("reads back rows that satisfy the row schemas the writer built them by", () => {
      expect(read.peers.length).toBeGreaterThan(20);
      for (const row of read.peers) expect(peerRowSchema.parse(row)).toEqual(row);
      for (const { extra: _, ...cells } of read.timeseries)
        expect(timeseriesRowSchema.parse(cells)).toEqual(cells);
      for (const row of read.gauges) expect(gaugeRowSchema.parse(row)).toEqual(row);
      expect(read.peers.some((p) => p.leaveSeconds === null)).toBe(true);
    });
  });
});
