import { describe, expect, it } from "vitest";
import {
  microsToSeconds,
  parseBitsPerSecond,
  parseBytes,
  parseDurationSeconds,
  parseRatePerSecond,
  secondsToMicros,
  unitHint,
} from "../../sim/scenario/units.ts";

describe("scenario units", () => {
  it("parses bit rates in bps, kbps, Mbps, Gbps and bit/s spellings", () => {
    expect(parseBitsPerSecond("800kbps")).toBe(800e3);
    expect(parseBitsPerSecond("5 Mbps")).toBe(5e6);
    expect(parseBitsPerSecond("1.5Mbps")).toBe(1.5e6);
    expect(parseBitsPerSecond("2Gbps")).toBe(2e9);
    expect(parseBitsPerSecond("1.2Mbit/s")).toBeCloseTo(1.2e6, 6);
    expect(parseBitsPerSecond("64 kbit/s")).toBe(64e3);
    expect(parseBitsPerSecond("300bps")).toBe(300);
    expect(parseBitsPerSecond("-1Mbps")).toBe(-1e6);
  });

  it("reads B as a byte and b as a bit: 1MBps is 8e6 bit/s, 1MB/s too", () => {
    expect(parseBitsPerSecond("1MBps")).toBe(8e6);
    expect(parseBitsPerSecond("1MB/s")).toBe(8e6);
    expect(parseBitsPerSecond("1Mb/s")).toBe(1e6);
    expect(parseBitsPerSecond("2kBps")).toBe(16e3);
    expect(parseBitsPerSecond("10Bps")).toBe(80);
  });

  it("reads k, M, G as powers of 1000 and Ki, Mi, Gi as powers of 1024", () => {
    expect(parseBitsPerSecond("1Kibps")).toBe(1024);
    expect(parseBitsPerSecond("1Mibit/s")).toBe(1024 ** 2);
    expect(parseBitsPerSecond("1GiBps")).toBe(8 * 1024 ** 3);
    expect(parseBytes("1GiB")).toBe(1024 ** 3);
    expect(parseBytes("1GB")).toBe(1e9);
  });

  it("rejects spellings whose case makes them ambiguous: mbps, Kbps, MBPS, kbPS", () => {
    for (const text of ["5mbps", "5Kbps", "5MBPS", "5kbPS", "5gbps", "5kibps", "5Mbit/S"]) {
      expect(parseBitsPerSecond(text)).toBeUndefined();
    }
    for (const text of ["16KB", "16mb", "1kib", "1KIB"]) expect(parseBytes(text)).toBeUndefined();
  });

  it("names the spellings a wrongly cased unit may have meant", () => {
    expect(unitHint("5mbps", "bitrate")).toBe(
      'units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "5Mbps" or "5MBps"?',
    );
    expect(unitHint("5Kbps", "bitrate")).toMatch(/did you mean "5kbps", "5kBps" or "5Kibps"\?$/);
    expect(unitHint("16KB", "size")).toMatch(/did you mean "16kB", "16kb" or "16KiB"\?$/);
    expect(unitHint("1MIN", "duration")).toBe('time units are lower case: did you mean "1min"?');
    expect(unitHint("5/Min", "rate")).toBe('time units are lower case: did you mean "5/min"?');
    expect(unitHint("5 parsecs", "bitrate")).toBeUndefined();
    expect(unitHint(5, "bitrate")).toBeUndefined();
  });

  it("never reads m or M as minutes, and suggests min or ms", () => {
    expect(parseDurationSeconds("1M")).toBeUndefined();
    expect(parseDurationSeconds("1m")).toBeUndefined();
    expect(parseRatePerSecond("5/m")).toBeUndefined();
    expect(unitHint("1M", "duration")).toBe(
      `'M' is not a time unit: write "1min" for minutes or "1ms" for milliseconds`,
    );
    expect(unitHint("5/m", "rate")).toBe(`'m' is not a time unit: write "5/min" for per minute`);
  });

  it("takes a bare bit rate as bits per second", () => {
    expect(parseBitsPerSecond(128000)).toBe(128000);
    expect(parseBitsPerSecond("128000")).toBe(128000);
  });

  it("parses durations in us, ms, s, min, h, and bare seconds", () => {
    expect(parseDurationSeconds("30min")).toBe(1800);
    expect(parseDurationSeconds("150ms")).toBeCloseTo(0.15, 12);
    expect(parseDurationSeconds("20s")).toBe(20);
    expect(parseDurationSeconds("20 sec")).toBe(20);
    expect(parseDurationSeconds("1.5h")).toBe(5400);
    expect(parseDurationSeconds("2hr")).toBe(7200);
    expect(parseDurationSeconds("250us")).toBeCloseTo(250e-6, 15);
    expect(parseDurationSeconds("250µs")).toBeCloseTo(250e-6, 15);
    expect(parseDurationSeconds(".5s")).toBe(0.5);
    expect(parseDurationSeconds("1e3ms")).toBe(1);
    expect(parseDurationSeconds(45)).toBe(45);
    expect(parseDurationSeconds("45")).toBe(45);
  });

  it("parses event rates per second, minute and hour, and bare rates per second", () => {
    expect(parseRatePerSecond("5/s")).toBe(5);
    expect(parseRatePerSecond("120/min")).toBe(2);
    expect(parseRatePerSecond("150 / min")).toBe(2.5);
    expect(parseRatePerSecond("360/h")).toBeCloseTo(0.1, 12);
    expect(parseRatePerSecond(3)).toBe(3);
    expect(parseRatePerSecond("0.25")).toBe(0.25);
  });

  it("parses sizes in B, kB, MB, KiB and MiB, bits as eighths of a byte, and bare bytes", () => {
    expect(parseBytes("16kb")).toBe(2000);
    expect(parseBytes("8bit")).toBe(1);
    expect(parseBytes("1500B")).toBe(1500);
    expect(parseBytes("16kB")).toBe(16_000);
    expect(parseBytes("1KiB")).toBe(1024);
    expect(parseBytes("2 MiB")).toBe(2 * 1024 * 1024);
    expect(parseBytes("3MB")).toBe(3e6);
    expect(parseBytes(100)).toBe(100);
  });

  it("rejects unknown units, units of the wrong kind and non-numbers", () => {
    expect(parseDurationSeconds("5 parsecs")).toBeUndefined();
    expect(parseBitsPerSecond("5 parsecs")).toBeUndefined();
    expect(parseRatePerSecond("5 parsecs")).toBeUndefined();
    expect(parseRatePerSecond("5/fortnight")).toBeUndefined();
    expect(parseRatePerSecond("/s")).toBeUndefined();
    expect(parseBytes("5 parsecs")).toBeUndefined();
    expect(parseDurationSeconds("5Mbps")).toBeUndefined();
    expect(parseBitsPerSecond("5min")).toBeUndefined();
    expect(parseBytes("5s")).toBeUndefined();
    expect(parseDurationSeconds("fast")).toBeUndefined();
    expect(parseDurationSeconds("")).toBeUndefined();
    expect(parseDurationSeconds(true)).toBeUndefined();
    expect(parseDurationSeconds(null)).toBeUndefined();
    expect(parseBitsPerSecond([1])).toBeUndefined();
  });

  it("converts seconds to whole microseconds, rounding to nearest, and back", () => {
    expect(secondsToMicros(1.5)).toBe(1_500_000);
    expect(secondsToMicros(0.15)).toBe(150_000);
    expect(secondsToMicros(1e-7)).toBe(0);
    expect(secondsToMicros(6e-7)).toBe(1);
    expect(microsToSeconds(2_500_000)).toBe(2.5);
  });
});
