import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseOverride, parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";
import { STRATEGIES } from "../../sim/strategies/index.ts";

const fixtures = resolve(import.meta.dirname, "fixtures");

/** The message a scenario text fails with (and checks that it fails with a ScenarioError). */
function failure(text: string, file = "bad.yaml"): string {
  try {
    parseScenario(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

const STRATEGY = "strategies:\n  - type: client-server\n";
/** The registered strategy types, as the message lists them (the registry grows). */
const TYPES = [...STRATEGIES.keys()].join(", ");

/** [what is wrong, scenario text, exact message]. */
const CASES: [string, string, string][] = [
  [
    "unknown top-level key, with a did-you-mean hint",
    `durtion: 2min\n${STRATEGY}`,
    "bad.yaml:1: durtion: unknown key (did you mean 'duration'?)",
  ],
  [
    "unknown nested key, with a did-you-mean hint",
    `churn:\n  sesion: { distribution: fixed, mean: 1min }\n${STRATEGY}`,
    "bad.yaml:2: churn.sesion: unknown key (did you mean 'session'?)",
  ],
  [
    "wrong type for a duration",
    `duration: fast\n${STRATEGY}`,
    'bad.yaml:1: duration: expected a duration like "30s", "5min" or "150ms", got "fast"',
  ],
  [
    "negative capacity",
    `source:\n  upload: -1Mbps\n${STRATEGY}`,
    "bad.yaml:2: source.upload: must be greater than 0 bit/s, got -1000000 bit/s",
  ],
  [
    "empty class mix",
    `peers:\n  classes: []\n${STRATEGY}`,
    "bad.yaml:2: peers.classes: must have at least 1 item(s), got 0",
  ],
  [
    "class shares that do not sum to 1",
    "peers:\n  classes:\n" +
      "    - { name: a, share: 0.5, upload: 1Mbps }\n" +
      "    - { name: b, share: 0.4, upload: 1Mbps }\n" +
      STRATEGY,
    "bad.yaml:3: peers.classes: shares must sum to 1, got 0.9",
  ],
  [
    "duplicate class names",
    "peers:\n  classes:\n" +
      "    - { name: a, share: 0.5, upload: 1Mbps }\n" +
      "    - { name: a, share: 0.5, upload: 1Mbps }\n" +
      STRATEGY,
    "bad.yaml:4: peers.classes[1].name: duplicate class 'a'",
  ],
  [
    "probability outside [0, 1]",
    `churn:\n  abruptShare: 1.5\n${STRATEGY}`,
    "bad.yaml:2: churn.abruptShare: must be at most 1, got 1.5",
  ],
  [
    "unknown strategy type, with a suggestion",
    "duration: 2min\nstrategies:\n  - type: tree-rely\n",
    `bad.yaml:3: strategies[0].type: must be one of ${TYPES}; got 'tree-rely' (did you mean 'tree-relay'?)`,
  ],
  [
    "bad enum value with no close match",
    `player:\n  onMissing: pause\n${STRATEGY}`,
    "bad.yaml:2: player.onMissing: must be one of stall, skip; got 'pause'",
  ],
  [
    "strategy option out of range",
    "strategies:\n  - type: tree-relay\n    maxChildren: 0\n",
    "bad.yaml:3: strategies[0].maxChildren: must be at least 1, got 0",
  ],
  [
    "unknown strategy option, with a suggestion",
    "strategies:\n  - type: tree-relay\n    maxChildern: 3\n",
    "bad.yaml:3: strategies[0].maxChildern: unknown key (did you mean 'maxChildren'?)",
  ],
  [
    "duplicate strategy names (the defaulted name points at the item)",
    "strategies:\n  - type: tree-relay\n  - type: tree-relay\n",
    "bad.yaml:3: strategies[1].name: duplicate strategy name 'tree-relay'",
  ],
  [
    "duplicate explicit strategy names",
    "strategies:\n  - { name: x, type: tree-relay }\n  - { name: x, type: client-server }\n",
    "bad.yaml:3: strategies[1].name: duplicate strategy name 'x'",
  ],
  ["missing strategies list", "duration: 2min\n", "bad.yaml:1: strategies: is required (a list)"],
  [
    "strategies that are not a list",
    "strategies: client-server\n",
    'bad.yaml:1: strategies: expected a list, got "client-server"',
  ],
  [
    "empty strategies list",
    "strategies: []\n",
    "bad.yaml:1: strategies: must have at least 1 item(s), got 0",
  ],
  [
    "invalid YAML syntax, with the line of the fault",
    `duration: 2min\nstream:\n  bitrate: 400kbps\n bad: x\n${STRATEGY}`,
    "bad.yaml:4: (yaml): invalid YAML: All mapping items must start at the same column",
  ],
  [
    "duplicate YAML keys",
    `duration: 2min\nduration: 3min\n${STRATEGY}`,
    "bad.yaml:2: (yaml): invalid YAML: Map keys must be unique",
  ],
  [
    "a document that is not a mapping",
    "- a\n- b\n",
    "bad.yaml:1: (root): a scenario must be a mapping of keys to values",
  ],
  [
    "pareto shape not above 1 (infinite mean)",
    `churn:\n  session: { distribution: pareto, mean: 2min, shape: 1 }\n${STRATEGY}`,
    "bad.yaml:2: churn.session.shape: must be greater than 1, got 1",
  ],
  [
    "a rate in unknown units",
    `churn:\n  arrivals:\n    - { type: poisson, rate: 5 parsecs }\n${STRATEGY}`,
    'bad.yaml:3: churn.arrivals[0].rate: expected a rate like "5/s" or "120/min", got "5 parsecs"',
  ],
  [
    "an arrival window that ends before it starts",
    `churn:\n  arrivals:\n    - { type: poisson, rate: 1/s, from: 2min, until: 1min }\n${STRATEGY}`,
    "bad.yaml:3: churn.arrivals[0].until: must not be before 'from' (120s)",
  ],
  [
    "a uniform latency range upside down",
    `peers:\n  latency: { model: uniform, min: 50ms, max: 10ms }\n${STRATEGY}`,
    "bad.yaml:2: peers.latency.max: must not be below min (0.05s)",
  ],
  [
    "a seed that is not a whole number",
    `seed: 1.5\n${STRATEGY}`,
    "bad.yaml:1: seed: must be a whole number, got 1.5",
  ],
  [
    "a run shorter than one chunk",
    `duration: 0.5s\n${STRATEGY}`,
    "bad.yaml:1: duration: must be at least one chunk (1s)",
  ],
  [
    "a section that is not a mapping",
    `stream: 5\n${STRATEGY}`,
    "bad.yaml:1: stream: expected a mapping of options, got 5",
  ],
  [
    "a missing required field inside a list item points at the item",
    `peers:\n  classes:\n    - { name: a, share: 1 }\n${STRATEGY}`,
    'bad.yaml:3: peers.classes[0].upload: is required (a bit rate like "800kbps" or "5Mbps")',
  ],
];

describe("scenario errors", () => {
  it.each(CASES)("rejects %s with an exact one-line message", (_what, text, message) => {
    expect(failure(text)).toBe(message);
  });

  it("an unknown key with no close match lists the known keys instead of guessing", () => {
    const message = failure(`zzzzzzzz: 1\n${STRATEGY}`);
    expect(message).toMatch(/^bad\.yaml:1: zzzzzzzz: unknown key \(known keys: [\w, ]+\)$/);
    expect(message).toContain("duration, stream, source, peers, churn, player");
    expect(message).toContain("strategies");
    expect(failure(`source:\n  qqqqqqqqqq: 1\n${STRATEGY}`)).toMatch(
      /^bad\.yaml:2: source\.qqqqqqqqqq: unknown key \(known keys: upload\b.*\)$/,
    );
  });

  it("every error message is a single line naming file, line and field", () => {
    for (const [, text] of CASES) {
      const message = failure(text, "some/dir/bad.yaml");
      expect(message).not.toMatch(/[\r\n]/);
      expect(message).toMatch(/^some\/dir\/bad\.yaml:\d+: \S+: \S/);
    }
  });

  it("a ScenarioError carries the file, YAML path, line and problem separately", () => {
    try {
      parseScenario(`churn:\n  abruptShare: 1.5\n${STRATEGY}`, "bad.yaml");
      expect.unreachable();
    } catch (error) {
      const e = error as ScenarioError;
      expect([e.file, e.yamlPath, e.line, e.problem]).toEqual([
        "bad.yaml",
        "churn.abruptShare",
        2,
        "must be at most 1, got 1.5",
      ]);
    }
  });

  it("reports a trace file that does not exist, resolved beside the scenario file", () => {
    const file = resolve(fixtures, "missing-trace.yaml");
    expect(() => loadScenario(file)).toThrow(
      new ScenarioError(
        file,
        "churn.arrivals[0].file",
        6,
        `cannot read trace file '${resolve(fixtures, "no-such-trace.csv")}'`,
      ),
    );
    expect(() => loadScenario(file)).toThrow(
      `${file}:6: churn.arrivals[0].file: cannot read trace file '${resolve(fixtures, "no-such-trace.csv")}'`,
    );
  });

  it("reports a malformed trace row with its row number", () => {
    const file = resolve(fixtures, "bad-trace-row.yaml");
    expect(() => loadScenario(file)).toThrow(
      `${file}:4: churn.arrivals[0].file: trace row 3: leave time '4' is before join`,
    );
  });

  it("reports a scenario file that cannot be read", () => {
    const file = resolve(fixtures, "does-not-exist.yaml");
    expect(() => loadScenario(file)).toThrow(`${file}: (file): cannot read the scenario file`);
  });
});

describe("--set override errors", () => {
  const text = "duration: 2min\nstrategies:\n  - type: tree-relay\n    maxChildren: 5\n";

  function overrideFailure(...sets: string[]): string {
    try {
      parseScenario(text, "ov.yaml", sets.map(parseOverride));
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("override was accepted");
  }

  it("parseOverride rejects text without path=value", () => {
    expect(() => parseOverride("churn.abruptShare")).toThrow(
      "--set churn.abruptShare: expected path=value, e.g. --set churn.abruptShare=0.3",
    );
    expect(() => parseOverride("=0.3")).toThrow("--set =0.3: expected path=value");
  });

  it("an overridden value is validated like one from the file, without a file line", () => {
    expect(overrideFailure("strategies.0.resume=backbuffer")).toBe(
      "ov.yaml: strategies[0].resume: must be one of jump-to-live, back-buffer; got 'backbuffer' (did you mean 'back-buffer'?)",
    );
    expect(overrideFailure("churn.abruptShare=2")).toBe(
      "ov.yaml: churn.abruptShare: must be at most 1, got 2",
    );
  });

  it("an overridden key that no option knows is rejected with a hint", () => {
    expect(overrideFailure("churn.sesion.mean=3min")).toBe(
      "ov.yaml: churn.sesion: unknown key (did you mean 'session'?)",
    );
  });

  it("an override that replaces a value in the file still names its line", () => {
    expect(overrideFailure("strategies[0].maxChildren=0")).toBe(
      "ov.yaml:4: strategies[0].maxChildren: must be at least 1, got 0",
    );
  });

  it("an override through a scalar value is rejected", () => {
    expect(overrideFailure("duration.unit=s")).toBe(
      "ov.yaml: duration.unit: --set path goes through a value that is not a mapping or list",
    );
  });

  it("an override index past the end of a list is rejected rather than leaving a hole", () => {
    expect(overrideFailure("strategies.2.maxChildren=3")).toBe(
      "ov.yaml: strategies.2.maxChildren: --set index 2 is past the end of a list of 1 item(s)",
    );
  });
});
