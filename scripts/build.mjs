// `npm run build` (also run by `npm ci` through the `prepare` script): bundles the command line
// and the worker-thread entry into dist/ with esbuild, so `sim` starts from plain JavaScript
// instead of compiling TypeScript through tsx on every start. Packages stay external (they are
// loaded from node_modules as usual); only the project's own sources are bundled. Both entries
// share chunks, and every output file sits directly in dist/, so a chunk finds the worker entry
// next to it (see sim/experiments/pool.ts).
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Packages loaded from node_modules at run time rather than bundled. */
const EXTERNAL = [
  "@resvg/resvg-js",
  "@expo-google-fonts/arimo",
  "pdfkit",
  "svg-to-pdfkit",
  "tinypool",
  "tsx",
  "playwright-core",
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    cli: "sim/cli/main.ts",
    worker: "sim/experiments/compiledWorker.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Pure-JavaScript packages are bundled too: resolving and loading their hundreds of small
  // modules one by one cost more start-up time than compiling the TypeScript did. Packages that
  // find files next to their own code (native binaries, fonts, worker scripts) stay external.
  external: EXTERNAL,
  chunkNames: "chunk-[hash]",
  // Bundled CommonJS packages call require() for Node's built-in modules; an ES module has none.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  // Read by sim/experiments/pool.ts to start compiled workers instead of tsx-loaded ones.
  define: { PEERCAST_COMPILED: "true" },
  sourcemap: "linked",
  logLevel: "warning",
});
