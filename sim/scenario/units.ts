/**
 * Parsers for the human units accepted in scenario files. Each returns `undefined` when the text
 * is not of its form, so that the caller can word the error with the YAML path in it.
 */

const DURATION_UNITS_SECONDS: Record<string, number> = {
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  min: 60,
  m: 60,
  h: 3600,
  hr: 3600,
};

const BITRATE_UNITS: Record<string, number> = {
  bps: 1,
  kbps: 1e3,
  mbps: 1e6,
  gbps: 1e9,
  "bit/s": 1,
  "kbit/s": 1e3,
  "mbit/s": 1e6,
  "gbit/s": 1e9,
};

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const RATE_UNITS_PER_SECOND: Record<string, number> = {
  s: 1,
  sec: 1,
  min: 1 / 60,
  h: 1 / 3600,
  hr: 1 / 3600,
};

const NUMBER_WITH_UNIT = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-z/]*)\s*$/i;

function parseWithUnits(
  value: unknown,
  units: Record<string, number>,
  bareUnit: number | undefined,
): number | undefined {
  if (typeof value === "number") return bareUnit === undefined ? undefined : value * bareUnit;
  if (typeof value !== "string") return undefined;
  const match = NUMBER_WITH_UNIT.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2].toLowerCase();
  if (unit === "") return bareUnit === undefined ? undefined : amount * bareUnit;
  const factor = units[unit];
  return factor === undefined ? undefined : amount * factor;
}

/** Parses a duration (`30min`, `20s`, `150ms`, `1.5h`, or a bare number of seconds) to seconds. */
export function parseDurationSeconds(value: unknown): number | undefined {
  return parseWithUnits(value, DURATION_UNITS_SECONDS, 1);
}

/** Parses a bit rate (`800kbps`, `5 Mbps`, `1.2Mbit/s`, or bare bits per second) to bits/s. */
export function parseBitsPerSecond(value: unknown): number | undefined {
  return parseWithUnits(value, BITRATE_UNITS, 1);
}

/** Parses a size (`16kB`, `1KiB`, `1500B`, or a bare number of bytes) to bytes. */
export function parseBytes(value: unknown): number | undefined {
  return parseWithUnits(value, BYTE_UNITS, 1);
}

/** Parses an event rate (`5/s`, `120/min`, `300/h`, or a bare number per second) to 1/s. */
export function parseRatePerSecond(value: unknown): number | undefined {
  if (typeof value === "string") {
    const slash = value.indexOf("/");
    if (slash > 0) {
      const amount = Number(value.slice(0, slash).trim());
      const unit =
        RATE_UNITS_PER_SECOND[
          value
            .slice(slash + 1)
            .trim()
            .toLowerCase()
        ];
      if (!Number.isFinite(amount) || unit === undefined) return undefined;
      return amount * unit;
    }
  }
  return parseWithUnits(value, {}, 1);
}

/** Converts seconds to whole microseconds (rounded to nearest), the engine's unit of time. */
export function secondsToMicros(seconds: number): number {
  return Math.round(seconds * 1e6);
}

/** Converts microseconds to seconds. */
export function microsToSeconds(micros: number): number {
  return micros / 1e6;
}
