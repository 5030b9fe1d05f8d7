// Loaded with `node --import` by scripts/bench.mjs: reports the process's peak resident memory at exit.
process.on("exit", () => {
  process.stderr.write(`bench-maxrss-kib: ${process.resourceUsage().maxRSS}\n`);
});
