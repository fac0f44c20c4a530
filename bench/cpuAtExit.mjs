// Preloaded (`node --import`) into the processes the benchmarks time: prints the process's
// peak resident set size and then its CPU time at exit as the last stderr lines, so the
// benchmark can report CPU time, which a shared, loaded machine disturbs far less than wall
// time, and the most memory the run held at once.
import { resourceUsage } from "node:process";

process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  // maxRSS is in kibibytes.
  process.stderr.write(`max-rss-bytes ${resourceUsage().maxRSS * 1024}\n`);
  process.stderr.write(`cpu-micros ${user + system}\n`);
});
