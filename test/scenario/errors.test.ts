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

/**
 * More malformed inputs, one per line of defence: units whose case makes them ambiguous, limits
 * (duration, samples, aliases, arrivals), nonsense that leaves nothing to measure, and every
 * section's fields. [what is wrong, scenario text, exact message].
 */
const MORE_CASES: [string, string, string][] = [
  [
    "1M as a duration",
    "duration: 1M\nstrategies:\n  - type: client-server\n",
    'bad.yaml:1: duration: expected a duration like "30s", "5min" or "150ms", got "1M" (\'M\' is not a time unit: write "1min" for minutes or "1ms" for milliseconds)',
  ],
  [
    "1m as a duration",
    "duration: 1m\nstrategies:\n  - type: client-server\n",
    'bad.yaml:1: duration: expected a duration like "30s", "5min" or "150ms", got "1m" (\'m\' is not a time unit: write "1min" for minutes or "1ms" for milliseconds)',
  ],
  [
    "an upper-case time unit",
    "duration: 2MIN\nstrategies:\n  - type: client-server\n",
    'bad.yaml:1: duration: expected a duration like "30s", "5min" or "150ms", got "2MIN" (time units are lower case: did you mean "2min"?)',
  ],
  [
    "mbps in lower case",
    "stream:\n  bitrate: 5mbps\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: stream.bitrate: expected a bit rate like "800kbps" or "5Mbps", got "5mbps" (units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "5Mbps" or "5MBps"?)',
  ],
  [
    "K for kilo",
    "stream:\n  bitrate: 400Kbps\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: stream.bitrate: expected a bit rate like "800kbps" or "5Mbps", got "400Kbps" (units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "400kbps", "400kBps" or "400Kibps"?)',
  ],
  [
    "a bit rate in shouting case",
    "source:\n  upload: 20MBPS\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: source.upload: expected a bit rate like "800kbps" or "5Mbps", got "20MBPS" (units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "20Mbps" or "20MBps"?)',
  ],
  [
    "a size with KB",
    "strategies:\n  - type: tree-relay\n    controlBytes: 1KB\n",
    'bad.yaml:3: strategies[0].controlBytes: expected a size like "1500B" or "16kB", got "1KB" (units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "1kB", "1kb" or "1KiB"?)',
  ],
  [
    "a size with a lower-case binary prefix",
    "strategies:\n  - type: tree-relay\n    controlBytes: 1kib\n",
    'bad.yaml:3: strategies[0].controlBytes: expected a size like "1500B" or "16kB", got "1kib" (units are case-sensitive (b bit, B byte; k, M, G decimal; Ki, Mi, Gi binary): did you mean "1KiB" or "1Kib"?)',
  ],
  [
    "a rate per m",
    "churn:\n  arrivals:\n    - { type: poisson, rate: 5/m }\nstrategies:\n  - type: client-server\n",
    'bad.yaml:3: churn.arrivals[0].rate: expected a rate like "5/s" or "120/min", got "5/m" (\'m\' is not a time unit: write "5/min" for per minute)',
  ],
  [
    "a rate per Min",
    "churn:\n  arrivals:\n    - { type: poisson, rate: 5/Min }\nstrategies:\n  - type: client-server\n",
    'bad.yaml:3: churn.arrivals[0].rate: expected a rate like "5/s" or "120/min", got "5/Min" (time units are lower case: did you mean "5/min"?)',
  ],
  [
    "a rate with a unit but no slash",
    "churn:\n  arrivals:\n    - { type: poisson, rate: 5s }\nstrategies:\n  - type: client-server\n",
    'bad.yaml:3: churn.arrivals[0].rate: expected a rate like "5/s" or "120/min", got "5s"',
  ],
  [
    "a duration given as a bit rate",
    "duration: 5Mbps\nstrategies:\n  - type: client-server\n",
    'bad.yaml:1: duration: expected a duration like "30s", "5min" or "150ms", got "5Mbps"',
  ],
  [
    "a bit rate given as a duration",
    "stream:\n  bitrate: 5min\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: stream.bitrate: expected a bit rate like "800kbps" or "5Mbps", got "5min"',
  ],
  [
    "a size given as a duration",
    "strategies:\n  - type: tree-relay\n    controlBytes: 5s\n",
    'bad.yaml:3: strategies[0].controlBytes: expected a size like "1500B" or "16kB", got "5s"',
  ],
  [
    "a duration of 720h",
    "duration: 720h\nstrategies:\n  - type: client-server\n",
    "bad.yaml:1: duration: must be at most 168h (a week of simulated time), got 720h",
  ],
  [
    "a duration of zero",
    "duration: 0s\nstrategies:\n  - type: client-server\n",
    "bad.yaml:1: duration: must be greater than 0s, got 0s",
  ],
  [
    "a negative duration",
    "duration: -5min\nstrategies:\n  - type: client-server\n",
    "bad.yaml:1: duration: must be greater than 0s, got -300s",
  ],
  [
    "a metrics interval of 1us",
    "metrics:\n  interval: 1us\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: metrics.interval: gives 600000000 samples over the 600s run; at most 100000 are allowed (use at least 0.006s)",
  ],
  [
    "a metrics interval of zero",
    "metrics:\n  interval: 0s\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: metrics.interval: must be greater than 0s, got 0s",
  ],
  [
    "every download class below the bitrate",
    "stream:\n  bitrate: 2Mbps\npeers:\n  classes:\n    - { name: a, share: 1, upload: 1Mbps, download: 1Mbps }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:5: peers.classes: every class downloads below the 2 Mbps stream (fastest: 1 Mbps): no viewer can play it in real time",
  ],
  [
    "a tree source with no relay slot",
    "stream:\n  bitrate: 800kbps\nsource:\n  upload: 500kbps\nstrategies:\n  - type: tree-relay\n",
    "bad.yaml:4: source.upload: 500 kbps gives tree-relay 'tree-relay' no relay slot at the source (floor(0.9 x upload / 800 kbps) = 0): no viewer can join; it needs at least 888.9 kbps",
  ],
  [
    "a striped source with fewer slots than k",
    "stream:\n  bitrate: 800kbps\nsource:\n  upload: 500kbps\nstrategies:\n  - type: striped\n    k: 4\n    n: 5\n",
    "bad.yaml:4: source.upload: 500 kbps gives striped 'striped' 2 stripe slot(s) at the source, fewer than the k = 4 stripes a block needs: no viewer can decode; it needs at least 888.9 kbps",
  ],
  [
    "slices as long as the run",
    "duration: 1min\nstrategies:\n  - type: minute-swarming\n    sliceDuration: 60s\n",
    "bad.yaml:4: strategies[0].sliceDuration: a 60s slice leaves nothing to play in a 60s run (viewers play at least one slice behind live)",
  ],
  [
    "slices longer than the run",
    "duration: 30s\nstrategies:\n  - type: minute-swarming\n    sliceDuration: 60s\n",
    "bad.yaml:4: strategies[0].sliceDuration: a 60s slice leaves nothing to play in a 30s run (viewers play at least one slice behind live)",
  ],
  [
    "every arrival after the end of the run",
    "duration: 2min\nchurn:\n  arrivals:\n    - { type: poisson, rate: 1/s, from: 5min, until: 6min }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:4: churn.arrivals: no arrival process adds a viewer before the end of the run (120s)",
  ],
  [
    "only a flash crowd after the end of the run",
    "duration: 2min\nchurn:\n  arrivals:\n    - { type: flash-crowd, count: 10, at: 3min }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:4: churn.arrivals: no arrival process adds a viewer before the end of the run (120s)",
  ],
  [
    "a YAML alias bomb",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: (yaml): aliases expand too much (more than 100 references); write the values out",
  ],
  [
    "an unknown arrival type",
    "churn:\n  arrivals:\n    - { type: poison, rate: 1/s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: churn.arrivals[0].type: must be one of poisson, flash-crowd, trace; got 'poison' (did you mean 'poisson'?)",
  ],
  [
    "a flash crowd without a count",
    "churn:\n  arrivals:\n    - { type: flash-crowd, at: 10s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: churn.arrivals[0].count: is required (a number)",
  ],
  [
    "a flash crowd of zero",
    "churn:\n  arrivals:\n    - { type: flash-crowd, count: 0, at: 10s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: churn.arrivals[0].count: must be at least 1, got 0",
  ],
  [
    "a Poisson rate that would generate too many arrivals",
    "duration: 1h\nchurn:\n  arrivals:\n    - { type: poisson, rate: 5000/s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:4: churn.arrivals[0].rate: would generate more than 5000000 arrivals",
  ],
  [
    "a negative rate",
    "churn:\n  arrivals:\n    - { type: poisson, rate: -1/s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: churn.arrivals[0].rate: must be at least 0/s, got -1/s",
  ],
  [
    "an unknown session distribution",
    "churn:\n  session: { distribution: gaussian, mean: 1min }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: churn.session.distribution: must be one of fixed, exponential, pareto, weibull, lognormal; got 'gaussian'",
  ],
  [
    "a session mean of zero",
    "churn:\n  session: { distribution: exponential, mean: 0s }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: churn.session.mean: must be greater than 0s, got 0s",
  ],
  [
    "a weibull without a valid shape",
    "churn:\n  session: { distribution: weibull, mean: 1min, shape: 0 }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: churn.session.shape: must be greater than 0, got 0",
  ],
  [
    "a negative detection delay",
    "churn:\n  detectionDelay: -1s\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: churn.detectionDelay: must be at least 0s, got -1s",
  ],
  [
    "an abrupt share that is a string",
    "churn:\n  abruptShare: half\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: churn.abruptShare: expected a number, got "half"',
  ],
  [
    "an unknown latency model",
    "peers:\n  latency: { model: sphere }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: peers.latency.model: must be one of constant, uniform, plane; got 'sphere'",
  ],
  [
    "a negative constant latency",
    "peers:\n  latency: { model: constant, oneWay: -5ms }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: peers.latency.oneWay: must be at least 0s, got -0.005s",
  ],
  [
    "a class with a negative share",
    "peers:\n  classes:\n    - { name: a, share: -0.5, upload: 1Mbps }\n    - { name: b, share: 1.5, upload: 1Mbps }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: peers.classes[0].share: must be at least 0, got -0.5",
  ],
  [
    "a class with a zero download",
    "peers:\n  classes:\n    - { name: a, share: 1, upload: 1Mbps, download: 0 }\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: peers.classes[0].download: must be greater than 0 bit/s, got 0 bit/s",
  ],
  [
    "a class upload in unknown units",
    "peers:\n  classes:\n    - { name: a, share: 1, upload: 1 megabit }\nstrategies:\n  - type: client-server\n",
    'bad.yaml:3: peers.classes[0].upload: expected a bit rate like "800kbps" or "5Mbps", got "1 megabit"',
  ],
  [
    "classes that are not a list",
    "peers:\n  classes: fast\nstrategies:\n  - type: client-server\n",
    'bad.yaml:2: peers.classes: expected a list, got "fast"',
  ],
  [
    "a zero bitrate",
    "stream:\n  bitrate: 0\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: stream.bitrate: must be greater than 0 bit/s, got 0 bit/s",
  ],
  [
    "a chunk longer than allowed",
    "stream:\n  chunkDuration: 11min\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: stream.chunkDuration: must be at most 600s, got 660s",
  ],
  [
    "a chunk of a microsecond",
    "stream:\n  chunkDuration: 1us\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: stream.chunkDuration: must be at least 0.001s, got 0.000001s",
  ],
  [
    "an unknown stream mode",
    "stream:\n  mode: vod\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: stream.mode: must be one of live, on-demand; got 'vod'",
  ],
  [
    "a zero source upload",
    "source:\n  upload: 0\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: source.upload: must be greater than 0 bit/s, got 0 bit/s",
  ],
  [
    "a negative startup buffer",
    "player:\n  startupBuffer: -1s\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: player.startupBuffer: must be at least 0s, got -1s",
  ],
  [
    "an unknown onMissing",
    "player:\n  onMissing: skp\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: player.onMissing: must be one of stall, skip; got 'skp' (did you mean 'skip'?)",
  ],
  [
    "a zero maxEvents",
    "limits:\n  maxEvents: 0\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: limits.maxEvents: must be at least 1, got 0",
  ],
  [
    "a fractional maxEvents",
    "limits:\n  maxEvents: 1.5\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: limits.maxEvents: must be a whole number, got 1.5",
  ],
  [
    "a name with a slash",
    "name: a/b\nstrategies:\n  - type: client-server\n",
    "bad.yaml:1: name: may only contain letters, digits, '.', '_' and '-'",
  ],
  [
    "a strategy name with a space",
    "strategies:\n  - { name: my tree, type: tree-relay }\n",
    "bad.yaml:2: strategies[0].name: may only contain letters, digits, '.', '_' and '-'",
  ],
  [
    "a strategy without a type",
    "strategies:\n  - { name: x }\n",
    "bad.yaml:2: strategies[0].type: is required (a string)",
  ],
  [
    "a strategy item that is not a mapping",
    "strategies:\n  - client-server\n",
    'bad.yaml:2: strategies[0]: expected a mapping of options, got "client-server"',
  ],
  [
    "a tree policy misspelt",
    "strategies:\n  - { type: tree-relay, policy: shalowest }\n",
    "bad.yaml:2: strategies[0].policy: must be one of random, shallowest, nearest; got 'shalowest' (did you mean 'shallowest'?)",
  ],
  [
    "a tree slotUtilization above 1",
    "strategies:\n  - { type: tree-relay, slotUtilization: 1.5 }\n",
    "bad.yaml:2: strategies[0].slotUtilization: must be at most 1, got 1.5",
  ],
  [
    "a tree retry of zero",
    "strategies:\n  - { type: tree-relay, retry: 0s }\n",
    "bad.yaml:2: strategies[0].retry: must be greater than 0s, got 0s",
  ],
  [
    "a striped code that does not exist",
    "strategies:\n  - { type: striped, code: turbo }\n",
    "bad.yaml:2: strategies[0].code: must be one of parity, reed-solomon, fountain; got 'turbo'",
  ],
  [
    "a parity code with n not k + 1",
    "strategies:\n  - { type: striped, code: parity, k: 4, n: 7 }\n",
    "bad.yaml:2: strategies[0].n: parity has exactly one parity stripe: n must be k + 1 = 5",
  ],
  [
    "a slice that is not a whole number of chunks",
    "strategies:\n  - { type: minute-swarming, sliceDuration: 1.5s }\n",
    "bad.yaml:2: strategies[0].sliceDuration: must be a whole number of chunks (stream.chunkDuration is 1s), got 1.5s",
  ],
  [
    "a piece size below 16 bytes",
    "strategies:\n  - { type: minute-swarming, pieceSize: 8B }\n",
    "bad.yaml:2: strategies[0].pieceSize: must be at least 16 B, got 8 B",
  ],
  [
    "unchoke slots of zero",
    "strategies:\n  - { type: minute-swarming, unchokeSlots: 0 }\n",
    "bad.yaml:2: strategies[0].unchokeSlots: must be at least 1, got 0",
  ],
  [
    "an unknown piece selection",
    "strategies:\n  - { type: minute-swarming, pieceSelection: random }\n",
    "bad.yaml:2: strategies[0].pieceSelection: must be one of rarest-first, in-order; got 'random'",
  ],
  [
    "a boolean given as a string",
    'strategies:\n  - { type: striped, interiorDisjoint: "yes" }\n',
    'bad.yaml:2: strategies[0].interiorDisjoint: expected true or false, got "yes"',
  ],
  [
    "a tab-indented document",
    "duration: 2min\nstream:\n\tbitrate: 1Mbps\nstrategies:\n  - type: client-server\n",
    "bad.yaml:3: (yaml): invalid YAML: Tabs are not allowed as indentation",
  ],
  [
    "an unclosed flow mapping",
    "stream: { bitrate: 1Mbps\nstrategies:\n  - type: client-server\n",
    "bad.yaml:2: (yaml): invalid YAML: Flow map in block collection must be sufficiently indented and end with a }",
  ],
];

describe("scenario errors", () => {
  it.each(CASES)("rejects %s with an exact one-line message", (_what, text, message) => {
    expect(failure(text)).toBe(message);
  });

  it.each(MORE_CASES)("rejects %s with an exact one-line message", (_what, text, message) => {
    expect(failure(text)).toBe(message);
  });

  it("the catalogue holds at least 80 malformed scenarios", () => {
    expect(CASES.length + MORE_CASES.length).toBeGreaterThanOrEqual(80);
  });

  it("names the row of a trace that names an unknown class", () => {
    const file = resolve(fixtures, "unknown-class.yaml");
    expect(() => loadScenario(file)).toThrow(
      new ScenarioError(
        file,
        "churn.arrivals[0].file",
        6,
        "trace row 3: unknown peer class 'huge' (known: a)",
      ),
    );
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
    for (const [, text] of [...CASES, ...MORE_CASES]) {
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
