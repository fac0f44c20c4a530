#!/usr/bin/env node
// Entry point for the `sim` command. It runs the compiled bundle dist/cli.js, which `npm ci`
// builds (the `prepare` script runs `npm run build`), so start-up costs no TypeScript
// compilation. When dist/ is missing, or older than a source file (someone edited sim/ or
// analysis/ since the last build), it runs the TypeScript sources through tsx instead, so a
// stale bundle never gives stale results; PEERCAST_SOURCES=1 forces the sources. The note about
// the slower path goes only to a terminal, so scripted output stays the same either way.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "cli.js");

/** Newest modification time (ms) of the TypeScript sources under `dir`; 0 when there are none. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsCurrent() {
  if (process.env.PEERCAST_SOURCES === "1") return false;
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  return built >= Math.max(newestSource(join(root, "sim")), newestSource(join(root, "analysis")));
}

let main;
if (bundleIsCurrent()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  if (process.stderr.isTTY && process.env.PEERCAST_SOURCES !== "1")
    process.stderr.write("sim: dist/ is missing or stale (npm run build); running the sources\n");
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../sim/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
