import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const tests = join(import.meta.dirname, "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("house rules", () => {
  it("strategy tests run every scenario under the invariant checker", () => {
    // The model's tests are its physics checks too: a strategy test that imported the plain
    // runner would run without the checker (test/support/checkedRun.ts) watching.
    const dirs = ["strategies", "ondemand", "cdn"].map((d) => join(tests, d));
    const files = dirs.flatMap(testFiles);
    expect(files.length).toBeGreaterThan(10);
    const unchecked = files
      .filter((path) => /from "[./]*\/sim\/run\/runScenario\.ts"/.test(readFileSync(path, "utf8")))
      .map((path) => relative(tests, path));
    expect(unchecked).toEqual([]);
  });
});
