import { readFileSync } from "node:fs";
import { basename, dirname, extname } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, visit } from "yaml";
import { checkScenario } from "./checks.ts";
import { OptionReader, type ReaderContext, ScenarioError, type ScenarioWarning } from "./reader.ts";
import { resolveScenario, type Scenario } from "./scenario.ts";

/** A `--set path=value` override. */
export interface Override {
  /** Dotted path; list items by index: `strategies.0.resume` or `strategies[0].resume`. */
  path: string;
  /** The value as YAML text (`30s`, `0.2`, `true`, `[1, 2]`). */
  value: string;
}

/**
 * Most alias references (`*name`) a scenario may expand: a limit, so that a "billion laughs"
 * document fails at once instead of exhausting memory.
 */
export const MAX_ALIASES = 100;

/** Parses `path=value` (from `--set`). */
export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new Error(`--set ${text}: expected path=value, e.g. --set churn.abruptShare=0.3`);
  return { path: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

function splitPath(path: string): (string | number)[] {
  return path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((part) => part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Reads, parses and validates a scenario file, applying overrides and an optional seed.
 * Every problem is thrown as a {@link ScenarioError} with a one-line message; what runs but
 * cannot work as written is passed to `onWarning` (see {@link checkScenario}).
 */
export function loadScenario(
  file: string,
  overrides: readonly Override[] = [],
  seed?: number,
  onWarning?: (warning: ScenarioWarning) => void,
): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ScenarioError(file, "(file)", undefined, "cannot read the scenario file");
  }
  return parseScenario(text, file, overrides, seed, onWarning);
}

/**
 * The document as plain values, refusing to expand more than {@link MAX_ALIASES} aliases
 * (the error names the line of the first alias).
 */
function toPlain(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  file: string,
) {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let line: number | undefined;
    visit(document, {
      Alias(_key, node) {
        if (node.range) line = lineCounter.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    throw new ScenarioError(
      file,
      "(yaml)",
      line,
      `aliases expand too much (more than ${MAX_ALIASES} references); write the values out`,
    );
  }
}

/**
 * Parses and validates scenario text; `file` names it in errors and anchors relative paths.
 * Warnings go to `onWarning`.
 */
export function parseScenario(
  text: string,
  file: string,
  overrides: readonly Override[] = [],
  seed?: number,
  onWarning?: (warning: ScenarioWarning) => void,
): Scenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const line = lineCounter.linePos(error.pos[0]).line;
    const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ScenarioError(file, "(yaml)", line, `invalid YAML: ${message}`);
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw new ScenarioError(file, "(root)", 1, "a scenario must be a mapping of keys to values");
  }
  for (const override of overrides) {
    const path = splitPath(override.path);
    if (path.length === 0)
      throw new ScenarioError(file, override.path, undefined, "empty --set path");
    let value: unknown;
    try {
      value = parseDocument(override.value).toJS();
    } catch {
      value = override.value;
    }
    // An index names an item of a list or the one just past its end (to append); one further
    // would leave a hole that then reads as an empty item with a different index.
    let node: unknown = document.contents;
    for (const part of path) {
      if (isSeq(node) && typeof part === "number" && part > node.items.length) {
        throw new ScenarioError(
          file,
          override.path,
          undefined,
          `--set index ${part} is past the end of a list of ${node.items.length} item(s)`,
        );
      }
      node = isMap(node) || isSeq(node) ? node.get(part, true) : undefined;
    }
    // Create missing parents as maps; an index into a missing list is an error.
    const parent = path.slice(0, -1);
    const existing = parent.length === 0 ? document.contents : document.getIn(parent, true);
    if (parent.length > 0 && existing === undefined) {
      document.setIn(parent, document.createNode({}));
    } else if (existing !== undefined && !isMap(existing) && !isSeq(existing)) {
      throw new ScenarioError(
        file,
        override.path,
        undefined,
        "--set path goes through a value that is not a mapping or list",
      );
    }
    document.setIn(path, value);
  }
  if (seed !== undefined) document.set("seed", seed);
  const context: ReaderContext = {
    file,
    document,
    lineCounter,
    baseDirectory: dirname(file),
  };
  const root: unknown = toPlain(document, lineCounter, file);
  const reader = new OptionReader(context, root, []);
  const scenario = resolveScenario(reader, basename(file, extname(file)));
  reader.done();
  for (const warning of checkScenario(scenario, reader, root)) onWarning?.(warning);
  return scenario;
}
