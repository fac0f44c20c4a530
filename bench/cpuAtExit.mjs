// Preloaded (`node --import`) into the processes the start-up benchmark times: prints the
// process's CPU time at exit as a last stderr line, so the benchmark can report CPU time, which
// a shared, loaded machine disturbs far less than wall time.
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`cpu-micros ${user + system}\n`);
});
