import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter } from "yaml";
import { closestMatch } from "./didYouMean.ts";
import {
  parseBitsPerSecond,
  parseBytes,
  parseDurationSeconds,
  parseRatePerSecond,
  type QuantityKind,
  unitHint,
} from "./units.ts";

/** A YAML path: map keys and sequence indices from the document root. */
export type YamlPath = readonly (string | number)[];

/** Formats a path the way errors show it: `strategies[1].resume`, `churn.session.mean`. */
export function formatPath(path: YamlPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * A problem with a scenario: which file, which field, where, and what is wrong. Its message is
 * one line, `file:line: path: problem`, fit to print as is.
 */
export class ScenarioError extends Error {
  readonly file: string;
  readonly yamlPath: string;
  readonly line: number | undefined;
  readonly problem: string;

  constructor(file: string, yamlPath: string, line: number | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(`${where}: ${yamlPath}: ${problem}`);
    this.name = "ScenarioError";
    this.file = file;
    this.yamlPath = yamlPath;
    this.line = line;
    this.problem = problem;
  }
}

/**
 * A scenario that runs but cannot work as written: where and what. Printed as one line on
 * stderr and listed in manifest.json; the run goes on.
 */
export interface ScenarioWarning {
  /** The scenario file the warning is about; undefined when found after loading (by the run). */
  readonly file: string | undefined;
  /** 1-based line of the field in the file, when known. */
  readonly line: number | undefined;
  /** The YAML path of the field, e.g. `churn.arrivals[1].at`. */
  readonly field: string;
  /** What is wrong, without the location. */
  readonly problem: string;
}

/** A warning as one line: `file:line: field: problem`, the way errors read. */
export function formatWarning(warning: ScenarioWarning): string {
  const where = warning.line === undefined ? warning.file : `${warning.file}:${warning.line}`;
  return `${where === undefined ? "" : `${where}: `}${warning.field}: ${warning.problem}`;
}

/** What a reader needs to know about the document it reads, to place its errors. */
export interface ReaderContext {
  /** The file name shown in errors. */
  file: string;
  /** The parsed document, for line numbers; absent for values that did not come from YAML. */
  document?: Document;
  lineCounter?: LineCounter;
  /** Directory that relative file references in the scenario are resolved against. */
  baseDirectory: string;
}

/**
 * Line (1-based) of the node at `path`, or of its key when `key` is true, if known. When the
 * path is absent from the document (a required field left out, a defaulted name found to clash),
 * the line of the closest enclosing node that is present, so the message still says where.
 */
function lineOf(context: ReaderContext, path: YamlPath, key: boolean): number | undefined {
  const { document, lineCounter } = context;
  if (!document || !lineCounter) return undefined;
  const lineOfNode = (target: unknown) => {
    const range = (target as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  let node: unknown = document.contents;
  let keyNode: unknown;
  for (const part of path) {
    keyNode = undefined;
    if (isMap(node)) {
      // Keys set by `--set` overrides are plain values, not scalar nodes, and have no line.
      const pair = node.items.find(
        (item) =>
          isPair(item) && String(isScalar(item.key) ? item.key.value : item.key) === String(part),
      );
      if (!pair) return lineOfNode(node);
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
      node = node.items[part];
    } else {
      return lineOfNode(node);
    }
  }
  return lineOfNode((key && keyNode) || node);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** Bounds for a number-like field. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be strictly greater than this. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/**
 * Reads one YAML mapping into typed options, one field at a time, and reports every problem as
 * a {@link ScenarioError} naming the file, the YAML path and the line. Each part of the
 * simulator resolves its own options with one of these, so the defaults live beside the code
 * that uses them. Call {@link done} last: it rejects keys nobody asked for, suggesting the
 * closest known key.
 */
export class OptionReader {
  readonly context: ReaderContext;
  readonly path: YamlPath;
  private readonly value: Record<string, unknown>;
  private readonly known = new Set<string>();

  constructor(context: ReaderContext, value: unknown, path: YamlPath = []) {
    this.context = context;
    this.path = path;
    if (value === undefined || value === null) {
      this.value = {};
    } else if (typeof value !== "object" || Array.isArray(value)) {
      throw this.errorAt(path, `expected a mapping of options, got ${describe(value)}`);
    } else {
      this.value = value as Record<string, unknown>;
    }
  }

  /** An error about field `key` of this mapping (or the mapping itself when key is omitted). */
  error(key: string | number | undefined, problem: string): ScenarioError {
    return this.errorAt(key === undefined ? this.path : [...this.path, key], problem);
  }

  /** An error about the node at an absolute path. */
  errorAt(path: YamlPath, problem: string, onKey = false): ScenarioError {
    return new ScenarioError(
      this.context.file,
      formatPath(path),
      lineOf(this.context, path, onKey),
      problem,
    );
  }

  /** A warning about the node at an absolute path. */
  warningAt(path: YamlPath, problem: string): ScenarioWarning {
    return {
      file: this.context.file,
      line: lineOf(this.context, path, false),
      field: formatPath(path),
      problem,
    };
  }

  /** True when the mapping has `key` (and marks it as known). */
  has(key: string): boolean {
    this.known.add(key);
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  /** The raw value of `key` (marking it as known). */
  raw(key: string): unknown {
    this.known.add(key);
    return this.value[key];
  }

  /** Keys present in the mapping. */
  keys(): string[] {
    return Object.keys(this.value);
  }

  private checkBounds(key: string, value: number, bounds: NumberBounds, unit = ""): number {
    if (!Number.isFinite(value)) throw this.error(key, `must be a finite number, got ${value}`);
    if (bounds.integer && !Number.isInteger(value)) {
      throw this.error(key, `must be a whole number, got ${value}`);
    }
    if (bounds.min !== undefined && value < bounds.min) {
      throw this.error(key, `must be at least ${bounds.min}${unit}, got ${value}${unit}`);
    }
    if (bounds.above !== undefined && !(value > bounds.above)) {
      throw this.error(key, `must be greater than ${bounds.above}${unit}, got ${value}${unit}`);
    }
    if (bounds.max !== undefined && value > bounds.max) {
      throw this.error(key, `must be at most ${bounds.max}${unit}, got ${value}${unit}`);
    }
    return value;
  }

  private parsed(
    key: string,
    fallback: number | undefined,
    bounds: NumberBounds,
    parse: (raw: unknown) => number | undefined,
    expected: string,
    unit: string,
    kind?: QuantityKind,
  ): number {
    const raw = this.raw(key);
    if (raw === undefined || raw === null) {
      if (fallback === undefined) throw this.error(key, `is required (${expected})`);
      return fallback;
    }
    const value = parse(raw);
    if (value === undefined) {
      const hint = kind === undefined ? undefined : unitHint(raw, kind);
      throw this.error(
        key,
        `expected ${expected}, got ${describe(raw)}${hint ? ` (${hint})` : ""}`,
      );
    }
    return this.checkBounds(key, value, bounds, unit);
  }

  /** A plain number. Omit `fallback` to make the field required. */
  number(key: string, fallback?: number, bounds: NumberBounds = {}): number {
    return this.parsed(
      key,
      fallback,
      bounds,
      (raw) => (typeof raw === "number" ? raw : undefined),
      "a number",
      "",
    );
  }

  /** A whole number. */
  integer(key: string, fallback?: number, bounds: NumberBounds = {}): number {
    return this.number(key, fallback, { ...bounds, integer: true });
  }

  /** A probability or share in [0, 1]. */
  probability(key: string, fallback?: number): number {
    return this.number(key, fallback, { min: 0, max: 1 });
  }

  /** A duration in seconds (`30s`, `5min`, `150ms` or a bare number of seconds). */
  durationSeconds(key: string, fallback?: number, bounds: NumberBounds = { min: 0 }): number {
    return this.parsed(
      key,
      fallback,
      bounds,
      parseDurationSeconds,
      'a duration like "30s", "5min" or "150ms"',
      "s",
      "duration",
    );
  }

  /** A bit rate in bits per second (`800kbps`, `5Mbps` or bare bits per second). */
  bitsPerSecond(key: string, fallback?: number, bounds: NumberBounds = { min: 0 }): number {
    return this.parsed(
      key,
      fallback,
      bounds,
      parseBitsPerSecond,
      'a bit rate like "800kbps" or "5Mbps"',
      " bit/s",
      "bitrate",
    );
  }

  /** A size in bytes (`16kB`, `1KiB` or a bare number of bytes). */
  bytes(key: string, fallback?: number, bounds: NumberBounds = { min: 0 }): number {
    return this.parsed(
      key,
      fallback,
      bounds,
      parseBytes,
      'a size like "1500B" or "16kB"',
      " B",
      "size",
    );
  }

  /** An event rate per second (`5/s`, `120/min` or a bare number per second). */
  ratePerSecond(key: string, fallback?: number, bounds: NumberBounds = { min: 0 }): number {
    return this.parsed(
      key,
      fallback,
      bounds,
      parseRatePerSecond,
      'a rate like "5/s" or "120/min"',
      "/s",
      "rate",
    );
  }

  /** A string. */
  string(key: string, fallback?: string): string {
    const raw = this.raw(key);
    if (raw === undefined || raw === null) {
      if (fallback === undefined) throw this.error(key, "is required (a string)");
      return fallback;
    }
    if (typeof raw !== "string" && typeof raw !== "number") {
      throw this.error(key, `expected a string, got ${describe(raw)}`);
    }
    return String(raw);
  }

  /** One of a fixed set of strings. */
  choice<T extends string>(key: string, choices: readonly T[], fallback?: T): T {
    const value = this.string(key, fallback);
    if (!(choices as readonly string[]).includes(value)) {
      const guess = closestMatch(value, choices);
      const hint = guess ? ` (did you mean '${guess}'?)` : "";
      throw this.error(key, `must be one of ${choices.join(", ")}; got '${value}'${hint}`);
    }
    return value as T;
  }

  /** A boolean. */
  boolean(key: string, fallback?: boolean): boolean {
    const raw = this.raw(key);
    if (raw === undefined || raw === null) {
      if (fallback === undefined) throw this.error(key, "is required (true or false)");
      return fallback;
    }
    if (typeof raw !== "boolean")
      throw this.error(key, `expected true or false, got ${describe(raw)}`);
    return raw;
  }

  /** A nested mapping, resolved by `resolve`; an absent mapping resolves as empty. */
  object<T>(key: string, resolve: (reader: OptionReader) => T): T {
    const raw = this.raw(key);
    const reader = new OptionReader(this.context, raw, [...this.path, key]);
    const result = resolve(reader);
    reader.done();
    return result;
  }

  /** A list of items, each resolved by `resolve`. */
  list<T>(
    key: string,
    resolve: (item: unknown, path: YamlPath, index: number) => T,
    options: { required?: boolean; minLength?: number } = {},
  ): T[] {
    const raw = this.raw(key);
    if (raw === undefined || raw === null) {
      if (options.required) throw this.error(key, "is required (a list)");
      return [];
    }
    if (!Array.isArray(raw)) throw this.error(key, `expected a list, got ${describe(raw)}`);
    if (options.minLength !== undefined && raw.length < options.minLength) {
      throw this.error(key, `must have at least ${options.minLength} item(s), got ${raw.length}`);
    }
    return raw.map((item, index) => resolve(item, [...this.path, key, index], index));
  }

  /** A reader for a list item or any value at an absolute path. */
  child(value: unknown, path: YamlPath): OptionReader {
    return new OptionReader(this.context, value, path);
  }

  /** Rejects keys that no option asked for, suggesting the closest known one. */
  done(): void {
    const known = [...this.known];
    for (const key of Object.keys(this.value)) {
      if (this.known.has(key)) continue;
      const guess = closestMatch(key, known);
      const hint = guess ? ` (did you mean '${guess}'?)` : ` (known keys: ${known.join(", ")})`;
      throw this.errorAt([...this.path, key], `unknown key${hint}`, true);
    }
  }
}
