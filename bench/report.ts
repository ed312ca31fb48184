/** Shared output of the benchmarks: a readable line, then one JSON line a script can compare across runs. */
export function printResult(result: Record<string, number | string>, summary?: string): void {
  if (summary) console.log(summary);
  else
    console.log(
      Object.entries(result)
        .map(([key, value]) => `${key}=${value}`)
        .join('  '),
    );
  console.log(JSON.stringify(result));
}

/**
 * Samples resident memory every 10 ms; `stop()` returns the peak in MB. `memoryUsage.rss()` alone: the full
 * `memoryUsage()` walks the heap spaces and cost a measurable share of a benchmark's CPU.
 */
export function peakRssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024);
    },
  };
}

/**
 * The process's peak resident memory since it started, in MB, as the kernel counts it (getrusage's maxrss): exact,
 * and free of a sampler's own CPU in the figures it is reported with. For a benchmark in a process of its own.
 */
export function processPeakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
