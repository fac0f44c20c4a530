import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReadmeCommand, readmeCommands, shellWords } from "./readmeCommands.ts";
import { sim } from "./runMain.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/**
 * `sim run` lines run with `--set duration=61s` appended: the shortest whole-second run the
 * README's scenarios accept, since minute swarming's 60 s slices must be shorter than the run
 * (the reader refuses a slice as long as the run). The other commands run as written: `sweep`
 * takes no `--set` (its base scenario is already 90 s), `check` compares with a baseline recorded
 * at the scenario's own duration, and `plot`, `compare` and `merge` simulate nothing.
 */
const RUN_DURATION = "61s";

/**
 * README commands the test does not run, each with the reason. Each must still be in the README
 * (the test checks), so that the list cannot outlive the lines it excuses.
 */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map();

/**
 * `sim run` lines that run shorter still, each with the reason: the scale table's runs start
 * 100,000 and 1,000,000 viewers within their first minute, so 61 s of them would take minutes;
 * 5 s (tens of thousands of joins) still runs the scenario, its overrides and the whole output.
 */
const SHORTER: ReadonlyMap<string, string> = new Map([
  ["npx sim run scenarios/scale-100k.yaml --workers 0 --no-plots", "5s"],
  [
    "npx sim run scenarios/scale-100k.yaml --workers 0 --no-plots --set churn.arrivals[0].count=1000000 --set churn.arrivals[1].rate=200000/min --set duration=2min",
    "5s",
  ],
]);

const commands = readmeCommands(README);

/** The distinct commands in README order (a repeated line runs once, where it first appears). */
function distinct(list: ReadmeCommand[]): { command: ReadmeCommand; lines: number[] }[] {
  const byText = new Map<string, { command: ReadmeCommand; lines: number[] }>();
  for (const command of list) {
    const key = JSON.stringify(command.argv);
    const seen = byText.get(key);
    if (seen) seen.lines.push(command.line);
    else byText.set(key, { command, lines: [command.line] });
  }
  return [...byText.values()];
}

/** A shell glob `dir/prefix*` (the only kind the README uses), expanded in `cwd`. */
function expandGlob(word: string, cwd: string): string[] {
  if (!word.includes("*")) return [word];
  const dir = dirname(word);
  const pattern = word.slice(dir.length + 1);
  if (dir.includes("*") || !/^[^*]*\*[^*]*$/.test(pattern))
    throw new Error(`glob ${word}: only one * in the last path segment is supported`);
  const [head, tail] = pattern.split("*");
  const matches = readdirSync(join(cwd, dir))
    .filter((name) => name.startsWith(head) && name.endsWith(tail))
    .sort()
    .map((name) => join(dir, name));
  if (matches.length === 0) throw new Error(`glob ${word} matches nothing`);
  return matches;
}

/**
 * The arguments that run `command` inside the sandbox `work`: globs expanded, `/tmp/...` moved
 * under `work/tmp/` (so concurrent test runs never share a directory), any other absolute path
 * refused, and a `sim run` shortened.
 */
function sandboxed(argv: string[], work: string, duration = RUN_DURATION): string[] {
  const words = argv.flatMap((word) => {
    if (word.startsWith("/tmp/")) return [join(work, word)];
    if (isAbsolute(word)) throw new Error(`${word}: an absolute path outside /tmp`);
    return expandGlob(word, work);
  });
  return words[0] === "run" ? [...words, "--set", `duration=${duration}`] : words;
}

/** What a `sim` call printed, for a failure message. */
const transcript = (argv: string[], r: { code: number; stdout: string; stderr: string }) =>
  `sim ${argv.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout.slice(-2000)}`;

/** Names of the entries of `dir` (the checkout), to show the README commands wrote none. */
const listing = (dir: string) => readdirSync(dir).sort();

describe("readmeCommands", () => {
  it("finds sim commands in code blocks, inline code and YAML steps, as a shell splits them", () => {
    const markdown = [
      "Run `npx sim strategies` first; `bin/sim.js` alone is a file name.",
      "```sh",
      "npm ci && npx sim run a.yaml --set 'b[1].c=d e' # a comment",
      'node --cpu-prof bin/sim.js plot "r/x" --dpi 600',
      "sbatch --wait jobs/slurm.sbatch",
      "```",
      "```yaml",
      "  run: npx sim check ci.yaml",
      "```",
    ].join("\n");
    expect(readmeCommands(markdown)).toEqual([
      { line: 1, text: "npx sim strategies", argv: ["strategies"] },
      {
        line: 3,
        text: "npx sim run a.yaml --set b[1].c=d e",
        argv: ["run", "a.yaml", "--set", "b[1].c=d e"],
      },
      {
        line: 4,
        text: "node --cpu-prof bin/sim.js plot r/x --dpi 600",
        argv: ["plot", "r/x", "--dpi", "600"],
      },
      { line: 8, text: "npx sim check ci.yaml", argv: ["check", "ci.yaml"] },
    ]);
  });

  it("refuses shell syntax it would not run as a shell does", () => {
    for (const line of [
      "npx sim run a.yaml | tee log",
      "npx sim run $SCENARIO",
      "npx sim run a > b",
    ])
      expect(() => readmeCommands(`\`\`\`sh\n${line}\n\`\`\``), line).toThrow(/shell syntax/);
  });
});

describe("README commands", () => {
  let work = "";
  let home = "";
  const before = new Map<string, string[]>();
  const watched = [ROOT, join(ROOT, "results"), join(ROOT, "scenarios")];

  beforeAll(() => {
    // A copy of what the commands read, in a directory of their own: nothing in the checkout is
    // written, not even results/baselines/ci.json by --update-baseline.
    work = mkdtempSync(join(tmpdir(), "sim-readme-"));
    cpSync(join(ROOT, "scenarios"), join(work, "scenarios"), { recursive: true });
    mkdirSync(join(work, "results"));
    cpSync(join(ROOT, "results", "baselines"), join(work, "results", "baselines"), {
      recursive: true,
    });
    mkdirSync(join(work, "tmp"));
    for (const dir of watched) before.set(dir, listing(dir));
    home = process.cwd();
    process.chdir(work);
  });

  afterAll(() => {
    process.chdir(home);
    rmSync(work, { recursive: true, force: true });
  });

  it("finds the README's sim commands, and every exception is still one of them", () => {
    // Guards the extraction itself: the quick start and the sweep example must be among them.
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.map((c) => c.text)).toContain("npx sim run scenarios/high-churn.yaml");
    expect(commands.some((c) => c.argv[0] === "merge")).toBe(true);
    const texts = new Set(commands.map((c) => c.text));
    for (const [text, reason] of EXCEPTIONS) {
      expect(texts.has(text), `exception no longer in the README: ${text}`).toBe(true);
      expect(reason.length, `no reason given for ${text}`).toBeGreaterThan(20);
    }
    for (const text of SHORTER.keys()) {
      expect(texts.has(text), `shortened line no longer in the README: ${text}`).toBe(true);
    }
  });

  for (const { command, lines } of distinct(commands)) {
    const reason = EXCEPTIONS.get(command.text);
    if (reason !== undefined) {
      it.skip(`line ${lines.join(", ")}: ${command.text} (not run: ${reason})`, () => {});
      continue;
    }
    it(`line ${lines.join(", ")}: ${command.text}`, async () => {
      const argv = sandboxed(command.argv, work, SHORTER.get(command.text));
      const result = await sim(...argv);
      expect(result.code, transcript(argv, result)).toBe(0);
      if (argv[0] === "sweep" && argv.includes("--emit-jobs")) {
        // The README then runs jobs.txt with GNU parallel or Slurm (not sim lines; the cluster
        // tests run those programs): run its lines here, so that the merge that follows has its
        // parts and the emitted commands are known to work.
        const jobs = join(work, argv[argv.indexOf("--emit-jobs") + 1], "jobs.txt");
        const jobLines = readFileSync(jobs, "utf8").trim().split("\n");
        expect(jobLines.length).toBeGreaterThan(0);
        for (const jobLine of jobLines) {
          const words = shellWords(jobLine).map((t) => ("word" in t ? t.word : t.operator));
          expect(words.slice(0, 2)).toEqual(["node", join(ROOT, "bin", "sim.js")]);
          const job = await sim(...words.slice(2));
          expect(job.code, transcript(words, job)).toBe(0);
        }
      }
    });
  }

  it("wrote nothing in the checkout", () => {
    for (const dir of watched) expect(listing(dir), dir).toEqual(before.get(dir));
  });
});
