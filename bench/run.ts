/**
 * Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- engine` only those whose
 * name contains "engine".
 *
 * Every module here exports `async function run(): Promise<void>`. The list is explicit: when
 * you add a `bench/<name>.bench.ts`, add it below.
 */

interface BenchModule {
  name: string;
  load: () => Promise<{ run(): Promise<void> }>;
}

const modules: BenchModule[] = [
  { name: "engine", load: () => import("./engine.bench.ts") },
  { name: "examples", load: () => import("./examples.bench.ts") },
  { name: "quickstart", load: () => import("./quickstart.bench.ts") },
  { name: "scale", load: () => import("./scale.bench.ts") },
  { name: "startup", load: () => import("./startup.bench.ts") },
  { name: "swarm", load: () => import("./swarm.bench.ts") },
];

const filter = process.argv[2];
const selected = modules.filter((m) => filter === undefined || m.name.includes(filter));
if (selected.length === 0) {
  console.error(
    `no benchmark matches '${filter}'; available: ${modules.map((m) => m.name).join(", ")}`,
  );
  process.exitCode = 1;
}
for (const m of selected) {
  console.log(`== ${m.name} ==`);
  const mod = await m.load();
  await mod.run();
}
