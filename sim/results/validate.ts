import type { z } from "zod";
import { shown } from "./schema.ts";

/**
 * A result file that does not hold what its schema says (or is not JSON): the message is one
 * line naming the file, the field path and the problem, fit to print as is; the command exits 2.
 */
export class ResultFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResultFileError";
  }
}

/**
 * Checks `value`, the parsed content of `file`, against `schema` and returns it unchanged (same
 * keys in the same order: the figures keep the file's order). Throws a {@link ResultFileError}:
 * `results/x/summary.json: strategies.tree.stallRatio: expected a number, got "low"`.
 */
export function validated<T>(schema: z.ZodType, file: string, value: unknown): T {
  const problem = schemaProblem(schema, value);
  if (problem !== undefined) throw new ResultFileError(`${file}: ${problem}`);
  return value as T;
}

/**
 * Checks a result file about to be written: a value its schema refuses (a share above 1, say)
 * is a failure of the simulator, not a result, so it is thrown as a plain Error (exit 1).
 */
export function checkBeforeWriting(schema: z.ZodType, file: string, value: unknown): void {
  const problem = schemaProblem(schema, value);
  if (problem !== undefined) throw new Error(`refusing to write ${file}: ${problem}`);
}

/** The first problem of `value` against `schema`, in words, or undefined when there is none. */
export function schemaProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? undefined : describeIssue(result.error.issues[0]);
}

/** A JSON path as the messages write it: `strategies.tree.recoverySeconds`, `seeds[2]`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

const NOUNS: Record<string, string> = {
  object: "an object",
  array: "a list",
  record: "an object",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
};

/** One issue as "path: problem" (or the problem alone when it concerns the whole file). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = fieldPath(issue.path);
  const at = (problem: string) => (path === "" ? problem : `${path}: ${problem}`);
  switch (issue.code) {
    case "invalid_type": {
      // A message set on the schema (such as "a number or null") says more than the type.
      if (!issue.message.startsWith("Invalid input")) return at(issue.message);
      const expected = NOUNS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return at(`missing (expected ${expected})`);
      return at(`expected ${expected}, got ${shown(issue.input)}`);
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const relation =
        issue.code === "too_small"
          ? inclusive
            ? "at least"
            : "above"
          : inclusive
            ? "at most"
            : "below";
      const one = Number(bound) === 1;
      const what =
        issue.origin === "array"
          ? one
            ? "entry"
            : "entries"
          : issue.origin === "string"
            ? one
              ? "character"
              : "characters"
            : "";
      const got = what === "" ? `, got ${shown(issue.input)}` : "";
      return at(`expected ${relation} ${String(bound)}${what === "" ? "" : ` ${what}`}${got}`);
    }
    case "invalid_value":
      return at(
        `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, got ${shown(issue.input)}`,
      );
    case "unrecognized_keys":
      return at(`unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`);
    default:
      return at(issue.message);
  }
}

/** Parses the JSON text of `file`; a syntax error is a {@link ResultFileError} naming the file. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new ResultFileError(`${file}: invalid JSON (${reason})`);
  }
}
