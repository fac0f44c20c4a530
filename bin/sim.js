#!/usr/bin/env node
// Entry point for the `sim` command. The simulator is written in TypeScript and run through
// tsx's loader, so a fresh clone needs no build step between `npm ci` and `sim run`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../sim/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
