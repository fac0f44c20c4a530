import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStream } from "../../sim/engine/random.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { generateArrivals } from "../../sim/workload/arrivals.ts";
import { forEachLine } from "../../sim/workload/lineReader.ts";
import { readTwitchTrace, TraceTable } from "../../sim/workload/traceFiles.ts";

const dir = mkdtempSync(join(tmpdir(), "peercast-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fail = (problem: string) => new Error(problem);

/** Writes a file in the test's temporary directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Ticks are 10 minutes. Stream 77 (streamer "alice") has three viewers; stream 88 one.
const TWITCH = [
  "user_id,stream_id,streamer,time_start,time_stop",
  "1,77,alice,100,103",
  "2,88,bob,90,95",
  "3,77,alice,101,102",
  "1,77,alice,105,106",
].join("\n");

describe("Twitch trace import", () => {
  it("keeps one stream's rows and starts the clock at its first tick", () => {
    const rows = readTwitchTrace(file("t1.csv", TWITCH), { stream: "77" }, fail, 100);
    // Origin tick 100: (100..103) -> 0..1800 s, (101..102) -> 600..1200 s, (105..106) -> 3000..3600 s.
    expect(Array.from({ length: rows.size }, (_, i) => rows.row(i))).toEqual([
      { joinSeconds: 0, leaveSeconds: 1800 },
      { joinSeconds: 600, leaveSeconds: 1200 },
      { joinSeconds: 3000, leaveSeconds: 3600 },
    ]);
  });

  it("filters by streamer name, with or without a header row", () => {
    const noHeader = TWITCH.split("\n").slice(1).join("\n");
    const rows = readTwitchTrace(file("t2.csv", noHeader), { streamer: "bob" }, fail, 100);
    expect(rows.size).toBe(1);
    expect(rows.row(0)).toEqual({ joinSeconds: 0, leaveSeconds: 3000 });
  });

  it("fromTick moves the origin, drops rows over before it and clips rows straddling it", () => {
    const rows = readTwitchTrace(file("t3.csv", TWITCH), { stream: "77", fromTick: 102 }, fail, 9);
    // (100..103) straddles: 0..600 s; (101..102) ends at 102: dropped; (105..106): 1800..2400 s.
    expect([rows.row(0), rows.row(1)]).toEqual([
      { joinSeconds: 0, leaveSeconds: 600 },
      { joinSeconds: 1800, leaveSeconds: 2400 },
    ]);
    expect(rows.size).toBe(2);
  });

  it("rejects a row whose stop is not after its start, naming the line", () => {
    const bad = `${TWITCH}\n9,77,alice,110,110\n`;
    expect(() => readTwitchTrace(file("t4.csv", bad), { stream: "77" }, fail, 100)).toThrow(
      "trace line 6: time_stop '110' is not a tick after time_start",
    );
    expect(() => readTwitchTrace(file("t5.csv", "1,2,3\n"), {}, fail, 100)).toThrow(
      "trace line 1: expected 5 columns (user_id,stream_id,streamer,time_start,time_stop), got 3",
    );
  });

  it("spreads each join and leave uniformly inside its tick, keeping leave after join", () => {
    const rows = TraceTable.of(
      Array.from({ length: 5000 }, () => ({ joinSeconds: 600, leaveSeconds: 1200 })),
    );
    const arrivals = generateArrivals(
      { type: "trace", format: "twitch", file: "x", spreadWithinTick: true, rows },
      createStream("spread"),
    );
    let joinSum = 0;
    for (const a of arrivals) {
      expect(a.joinSeconds).toBeGreaterThanOrEqual(600);
      expect(a.joinSeconds).toBeLessThan(1200);
      expect(a.leaveSeconds!).toBeGreaterThanOrEqual(1200);
      expect(a.leaveSeconds!).toBeLessThan(1800);
      joinSum += a.joinSeconds;
    }
    // Uniform in [600, 1200): mean 900, sd 600 / sqrt(12) = 173; five standard errors.
    expect(Math.abs(joinSum / 5000 - 900)).toBeLessThan((5 * 173) / Math.sqrt(5000));
    // Without spreading, times are the ticks exactly.
    const exact = generateArrivals(
      { type: "trace", format: "twitch", file: "x", spreadWithinTick: false, rows },
      createStream("spread"),
    );
    expect(exact[0]).toEqual({ joinSeconds: 600, leaveSeconds: 1200 });
  });

  it("a scenario imports a Twitch file beside it; manifest shows the row count, not the rows", () => {
    file("viewers.csv", TWITCH);
    const scenario = parseScenario(
      [
        "duration: 2h",
        "churn:",
        "  arrivals:",
        "    - { type: trace, format: twitch, file: viewers.csv, stream: 77, spreadWithinTick: false }",
        "strategies:",
        "  - type: client-server",
      ].join("\n"),
      join(dir, "s.yaml"),
    );
    const arrival = scenario.churn.arrivals[0];
    expect(arrival).toMatchObject({ type: "trace", format: "twitch", stream: "77" });
    expect(JSON.parse(JSON.stringify(arrival))).toEqual({
      type: "trace",
      format: "twitch",
      file: "viewers.csv",
      stream: "77",
      spreadWithinTick: false,
      rows: { rows: 3 },
    });
  });

  it("a scenario copied to a worker thread (structured clone) yields the same arrivals", () => {
    file("viewers3.csv", TWITCH);
    const scenario = parseScenario(
      [
        "duration: 2h",
        "churn:",
        "  arrivals:",
        "    - { type: trace, format: twitch, file: viewers3.csv, streamer: alice }",
        "strategies:",
        "  - type: client-server",
      ].join("\n"),
      join(dir, "s.yaml"),
    );
    const original = scenario.churn.arrivals[0];
    const copy = structuredClone(original);
    expect(generateArrivals(copy, createStream("c"))).toEqual(
      generateArrivals(original, createStream("c")),
    );
    expect(generateArrivals(copy, createStream("c"))).toHaveLength(3);
  });

  it("a filter that matches nothing is an error naming the field", () => {
    file("viewers2.csv", TWITCH);
    expect(() =>
      parseScenario(
        [
          "churn:",
          "  arrivals:",
          "    - { type: trace, format: twitch, file: viewers2.csv, stream: 12345 }",
          "strategies:",
          "  - type: client-server",
        ].join("\n"),
        join(dir, "s.yaml"),
      ),
    ).toThrow(
      `${join(dir, "s.yaml")}:3: churn.arrivals[0].stream: no trace row matches the filter (stream, streamer, fromTick)`,
    );
  });
});

describe("streamed reading of large traces", () => {
  it("reads lines across chunk boundaries, CRLF endings and multi-byte characters", () => {
    const text = "a,b\r\nçé,ü\n\nlast";
    const path = file("lines.csv", text);
    const lines: string[] = [];
    // A 3-byte chunk splits lines and the two-byte characters.
    const stats = forEachLine(path, (line) => lines.push(line), 3);
    expect(lines).toEqual(["a,b", "çé,ü", "", "last"]);
    expect(stats.lines).toBe(4);
  });

  it("filters one stream out of a 2-million-row Twitch file without holding the file", () => {
    // About 70 MB, written in the test's temporary directory and deleted afterwards: every
    // 1000th row belongs to stream 424242, the others to 1000 other streams.
    const path = join(dir, "big.csv");
    const fd = openSync(path, "w");
    const rows = 2_000_000;
    let kept = 0;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const stream = i % 1000 === 0 ? 424242 : 1000 + (i % 997);
      if (stream === 424242) kept++;
      const start = 5000 + (i % 500);
      chunk.push(`${i % 100_000},${stream},streamer${stream},${start},${start + 1 + (i % 7)}`);
      if (chunk.length === 50_000) {
        writeSync(fd, `${chunk.join("\n")}\n`);
        chunk = [];
      }
    }
    closeSync(fd);
    const table = readTwitchTrace(path, { stream: "424242" }, fail, 10_000_000);
    expect(table.size).toBe(kept);
    expect(kept).toBe(2000);
    // Row 0 starts at tick 5000 (the origin) and lasts one tick.
    expect(table.row(0)).toEqual({ joinSeconds: 0, leaveSeconds: 600 });
    // The reader never held more than one 1 MiB chunk and a partial line.
    let lines = 0;
    const stats = forEachLine(path, () => lines++);
    expect(lines).toBe(rows);
    expect(stats.bytes).toBeGreaterThan(60e6);
    expect(stats.maxHeldCharacters).toBeLessThan((1 << 20) + 100);
  }, 30_000);
});
