import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "vitest";

/** Every file under `root` as relative path -> contents. */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return out;
}

/** Expects two directories to hold the same files with the same bytes. */
export function expectSameTree(a: string, b: string): void {
  const left = tree(a);
  const right = tree(b);
  expect([...right.keys()]).toEqual([...left.keys()]);
  for (const [name, text] of left) expect(right.get(name), name).toBe(text);
}
