import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../sim");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

describe("house rules", () => {
  it("no file in sim/ is over 600 lines (one idea per file)", () => {
    const long = sourceFiles(root)
      .map((path) => ({
        file: relative(root, path),
        lines: readFileSync(path, "utf8").split("\n").length - 1,
      }))
      .filter(({ lines }) => lines > 600);
    expect(long).toEqual([]);
  });
});
