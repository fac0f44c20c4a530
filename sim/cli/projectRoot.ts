import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The checkout's root directory: the nearest ancestor of this module that holds package.json.
 * Searching instead of counting `..` makes the answer the same from the TypeScript sources
 * (sim/cli/) and from the compiled bundle (dist/), whose files sit at a different depth.
 */
export const projectRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  // A limit on the walk: the root is a few levels up at most.
  let dir = start;
  for (let level = 0; level < 16; level++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`no package.json above ${start}`);
}
