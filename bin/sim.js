#!/usr/bin/env node
// Entry point for the `sim` command. It runs the compiled bundle dist/cli.js, which `npm ci`
// builds (the `prepare` script runs `npm run build`), so start-up costs no TypeScript
// compilation. When dist/ is missing, or older than a source file (someone edited sim/ or
// analysis/ since the last build), it runs the TypeScript sources through tsx instead, so a
// stale bundle never gives stale results; PEERCAST_SOURCES=1 forces the sources. The note about
// the slower path goes only to a terminal, so scripted output stays the same either way.
//
// A simulating command first starts `sim` again as a child process with huge pages for its
// typed arrays (bin/hugePages.js explains why and when), and waits for it: the child's exit code
// or signal becomes this process's, and SIGINT, SIGTERM and SIGHUP sent to this process are
// passed on. If this process is killed outright (SIGKILL), the child notices that its parent is
// gone and kills itself the same way before it changes any result (sim/run/launcher.ts). With
// node options of its own (`node --cpu-prof bin/sim.js ...`) `sim` runs in this process.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { hugePagesEnvironment, SIMULATING_COMMANDS } from "./hugePages.js";

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

/** Signals passed on to the child; each is also the child's own way to stop cleanly. */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs `sim` again in a child process under `env`, and ends this process as the child ended. */
function relaunch(env) {
  // Listen before the child exists: it is visible to others (and may be signalled through this
  // process) from the moment it is forked, before spawn returns.
  let child;
  const forward = (signal) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  // A terminal's Ctrl-C reaches both processes; the child then gets SIGINT twice, which its
  // handlers treat like once.
  child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...env, PEERCAST_LAUNCHER_PID: String(process.pid) },
  });
  child.on("error", (error) => {
    process.stderr.write(`sim: cannot start ${process.execPath}: ${error.message}\n`);
    process.exitCode = 1;
  });
  child.on("exit", (code, signal) => {
    for (const each of FORWARDED) process.off(each, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code;
  });
}

/** Loads the bundle, or the sources when the bundle is stale, and runs the command line. */
async function runHere() {
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
}

const relaunchEnv =
  process.execArgv.length === 0 &&
  SIMULATING_COMMANDS.includes(process.argv[2]) &&
  process.env.PEERCAST_LAUNCHER_PID === undefined
    ? hugePagesEnvironment(process.env)
    : undefined;
if (relaunchEnv) relaunch(relaunchEnv);
else await runHere();
