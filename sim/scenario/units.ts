/**
 * Parsers for the human units accepted in scenario files. Units are case-sensitive, so that no
 * spelling means two things:
 * - `b` is a bit and `B` a byte (`1MBps` is 8e6 bit/s, `16kb` is 16 kilobits = 2000 bytes);
 * - `k`, `M`, `G` are decimal (1e3, 1e6, 1e9) and `Ki`, `Mi`, `Gi` binary (1024, 1024², 1024³);
 *   `K` alone, `m` (milli) and `g` are not rate or size prefixes;
 * - durations are `us` (or `µs`), `ms`, `s` (or `sec`), `min`, `h` (or `hr`); `m` and `M` are
 *   never time units (minutes are `min`).
 * Each parser returns `undefined` when the text is not of its form; {@link unitHint} then says
 * why, so that the caller can word the error with the YAML path in it.
 */

/** The quantities a scenario value can be written in. */
export type QuantityKind = "duration" | "bitrate" | "size" | "rate";

const DURATION_UNITS_SECONDS: Record<string, number> = {
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  min: 60,
  h: 3600,
  hr: 3600,
};

const PREFIXES: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** Every prefix combined with every base unit, e.g. `kbps`, `MBps`, `KiB/s`. */
function prefixed(bases: Record<string, number>): Record<string, number> {
  const units: Record<string, number> = {};
  for (const [prefix, scale] of Object.entries(PREFIXES)) {
    for (const [base, factor] of Object.entries(bases)) units[prefix + base] = scale * factor;
  }
  return units;
}

/** Bit rates in bits per second: `bps`, `bit/s`, `b/s` are bits; `Bps`, `B/s` are bytes. */
const BITRATE_UNITS = prefixed({ bps: 1, "bit/s": 1, "b/s": 1, Bps: 8, "B/s": 8 });

/** Sizes in bytes: `B` is a byte, `b` and `bit` a bit (an eighth of a byte). */
const SIZE_UNITS = prefixed({ B: 1, b: 1 / 8, bit: 1 / 8 });

/** Denominators of an event rate, per second. */
const RATE_UNITS_PER_SECOND: Record<string, number> = {
  s: 1,
  sec: 1,
  min: 1 / 60,
  h: 1 / 3600,
  hr: 1 / 3600,
};

const UNITS: Record<QuantityKind, Record<string, number>> = {
  duration: DURATION_UNITS_SECONDS,
  bitrate: BITRATE_UNITS,
  size: SIZE_UNITS,
  rate: RATE_UNITS_PER_SECOND,
};

const NUMBER_WITH_UNIT = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([A-Za-zµ/]*)\s*$/;
const RATE = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*\/\s*([A-Za-z]+)\s*$/;

/** Splits `5 Mbps` (or `5/min` for a rate) into its amount and unit, if it is of that form. */
function split(
  value: string,
  kind: QuantityKind,
): { amount: number; amountText: string; unit: string } | undefined {
  // A rate without a slash is a bare number per second.
  const pattern = kind === "rate" && value.includes("/") ? RATE : NUMBER_WITH_UNIT;
  const match = pattern.exec(value);
  if (!match) return undefined;
  if (kind === "rate" && pattern === NUMBER_WITH_UNIT && match[2] !== "") return undefined;
  return { amount: Number(match[1]), amountText: match[1], unit: match[2] };
}

function parseQuantity(value: unknown, kind: QuantityKind): number | undefined {
  // A bare number is in the base unit: seconds, bits per second, bytes, events per second.
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const parts = split(value, kind);
  if (!parts) return undefined;
  if (parts.unit === "") return parts.amount;
  const factor = UNITS[kind][parts.unit];
  return factor === undefined ? undefined : parts.amount * factor;
}

/**
 * Why `value` is not a valid `kind`, when a likely intended spelling can be named: a unit in the
 * wrong case (`5mbps`, `1MIN`), `K` for kilo, or `m`/`M` as a time unit. Undefined when there is
 * nothing better to say than the expected form.
 */
export function unitHint(value: unknown, kind: QuantityKind): string | undefined {
  if (typeof value !== "string") return undefined;
  const parts = split(value, kind);
  if (!parts || parts.unit === "") return undefined;
  const { unit, amountText } = parts;
  const say = (u: string) => (kind === "rate" ? `"${amountText}/${u}"` : `"${amountText}${u}"`);
  if ((kind === "duration" || kind === "rate") && (unit === "m" || unit === "M")) {
    return kind === "duration"
      ? `'${unit}' is not a time unit: write ${say("min")} for minutes or ${say("ms")} for milliseconds`
      : `'${unit}' is not a time unit: write ${say("min")} for per minute`;
  }
  const units = UNITS[kind];
  const candidates = new Set(
    Object.keys(units).filter((u) => u.toLowerCase() === unit.toLowerCase()),
  );
  // `K` is kilo to some and 1024 to others: offer both spellings.
  if (unit.startsWith("K") && !unit.startsWith("Ki")) {
    for (const u of [`k${unit.slice(1)}`, `Ki${unit.slice(1)}`]) if (u in units) candidates.add(u);
  }
  if (candidates.size === 0) return undefined;
  const list = [...candidates].map(say);
  const choice = list.length === 1 ? list[0] : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
  const rule =
    kind === "duration" || kind === "rate"
      ? "time units are lower case"
      : "units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary)";
  return `${rule}: did you mean ${choice}?`;
}

/** Parses a duration (`30min`, `20s`, `150ms`, `1.5h`, or a bare number of seconds) to seconds. */
export function parseDurationSeconds(value: unknown): number | undefined {
  return parseQuantity(value, "duration");
}

/**
 * Parses a bit rate to bits per second: `800kbps`, `5 Mbps`, `1.2Mbit/s`, `1MBps` (bytes per
 * second: 8e6 bit/s), `2KiBps`, or a bare number of bits per second.
 */
export function parseBitsPerSecond(value: unknown): number | undefined {
  return parseQuantity(value, "bitrate");
}

/** Parses a size to bytes: `16kB`, `1KiB`, `1500B`, `16kb` (kilobits: 2000 B), or bare bytes. */
export function parseBytes(value: unknown): number | undefined {
  return parseQuantity(value, "size");
}

/** Parses an event rate (`5/s`, `120/min`, `300/h`, or a bare number per second) to 1/s. */
export function parseRatePerSecond(value: unknown): number | undefined {
  return parseQuantity(value, "rate");
}

/** Converts seconds to whole microseconds (rounded to nearest), the engine's unit of time. */
export function secondsToMicros(seconds: number): number {
  return Math.round(seconds * 1e6);
}

/** Converts microseconds to seconds. */
export function microsToSeconds(micros: number): number {
  return micros / 1e6;
}
