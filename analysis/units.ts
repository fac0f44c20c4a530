import { format } from "d3";

/** A display unit: values are divided by `divisor` and labelled with `label`. */
export interface Unit {
  label: string;
  divisor: number;
}

/** Seconds up to 20 min, minutes up to 5 h, hours beyond. */
export function timeUnit(maxSeconds: number): Unit {
  if (maxSeconds <= 1200) return { label: "s", divisor: 1 };
  if (maxSeconds <= 5 * 3600) return { label: "min", divisor: 60 };
  return { label: "h", divisor: 3600 };
}

/** bit/s, kbit/s, Mbit/s or Gbit/s, whichever keeps the largest value in [1, 1000). */
export function bitRateUnit(maxBitsPerSecond: number): Unit {
  if (maxBitsPerSecond >= 1e9) return { label: "Gbit/s", divisor: 1e9 };
  if (maxBitsPerSecond >= 1e6) return { label: "Mbit/s", divisor: 1e6 };
  if (maxBitsPerSecond >= 1e3) return { label: "kbit/s", divisor: 1e3 };
  return { label: "bit/s", divisor: 1 };
}

const threeSignificant = format(".3~r");

/** A value for tooltips and tables: integers exact, others to 3 significant digits. */
export function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (Number.isInteger(value)) return String(value);
  return threeSignificant(value);
}

/** A fraction as a percentage for tooltips. */
export function pct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "–";
  return `${fmt(fraction * 100)} %`;
}

/** A time in seconds for tooltips: to 0.1 s. */
export function fmtSeconds(seconds: number): string {
  return String(Number(seconds.toFixed(1)));
}
