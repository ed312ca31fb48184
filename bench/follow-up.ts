/**
 * Follow-up benchmark: one elastic-cluster scale-out (2 -> 4 nodes, 8 shard-group moves of 24 MiB, two moves at a
 * time) carried to its end by the registered orchestration and activities, through durable-functions' replay
 * machinery, against the ARM emulator and the Citus stand-in. Reports how many orchestrator episodes and
 * activities it took, the longest history one execution replays, and what a replay of that history costs.
 */
import { startAzureEmulator } from '../tools/emulator/index.js';
import { startPostgres } from '../tools/local-services/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../tools/citus-standin/index.js';
import { SUBSCRIPTION } from '../test/support/scaler-harness.js';
import { scenario } from '../test/integration/follow-up/scenario.js';
import { peakRssSampler, printResult } from './report.js';

export async function followUpBenchmark(): Promise<Record<string, number | string>> {
  const [emulator, server] = await Promise.all([
    startAzureEmulator({ subscriptionId: SUBSCRIPTION }),
    startPostgres({ config: CITUS_SETTING_DEFAULTS }),
  ]);
  try {
    const run = await scenario(emulator, server, { rebalance: { parallelism: 2, pollIntervalSeconds: 5 } });
    const started = performance.now();
    await run.driver.run();
    const wallMs = performance.now() - started;
    const episodes = run.driver.episodes;
    const longest = episodes.reduce((best, episode) => (episode.history.length > best.history.length ? episode : best));
    const replayStarted = performance.now();
    const replays = 20;
    for (let index = 0; index < replays; index++) await run.driver.replay(longest);
    const replayMs = (performance.now() - replayStarted) / replays;
    return {
      bench: 'follow-up',
      outcome: String((run.driver.output as { status?: string } | undefined)?.status),
      episodes: episodes.length,
      executions: episodes.at(-1)?.execution ?? 1,
      activities: run.driver.calls.length,
      longestHistoryEvents: (JSON.parse(longest.history) as unknown[]).length,
      replayOfLongestMs: Math.round(replayMs * 100) / 100,
      wallMs: Math.round(wallMs),
    };
  } finally {
    await Promise.all([emulator.close(), server.stop()]);
  }
}

export function describeFollowUp(result: Record<string, number | string>): string {
  return `follow-up: a 2 -> 4 node scale-out with an 8-move rebalance ${result.outcome} in ${result.episodes} orchestrator episodes and ${result.activities} activities (${result.wallMs} ms); the longest history (${result.longestHistoryEvents} events) replays in ${result.replayOfLongestMs} ms`;
}

/** 4 rounds of two 24 MiB moves: with the stand-in's phases after each copy, the rebalance runs about a day. */
const DAY_TRANSFER_BYTES_PER_SECOND = (24 * 1024 * 1024) / (3 * 3600);

/**
 * Follow-up at scale: `count` scale-outs at once on one app, each followed for a rebalance of about 24 hours (polled
 * every 10 minutes), through durable-functions' replay machinery. Each follow-up has its own ARM emulator (its
 * clock is the follow-up's time) and its own Citus stand-in database on one PostgreSQL. The history one execution
 * replays stays bounded: the orchestration continues as new every 100 waits, carrying its machine state.
 */
export async function followUp24hBenchmark(count = 50): Promise<Record<string, number | string>> {
  const server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
  const emulators: Awaited<ReturnType<typeof startAzureEmulator>>[] = [];
  try {
    const runs = [];
    for (let index = 0; index < count; index += 1) {
      const emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
      emulators.push(emulator);
      const run = await scenario(emulator, server, {
        rebalance: { parallelism: 2, pollIntervalSeconds: 600, timeoutMinutes: 48 * 60 },
      });
      await run.db.query('SELECT citus_standin.configure(transfer_bytes_per_second => $1)', [
        DAY_TRANSFER_BYTES_PER_SECOND,
      ]);
      runs.push({ run, startedMs: emulator.clock.nowMs(), emulator });
    }
    const sampler = peakRssSampler();
    const started = performance.now();
    await Promise.all(runs.map(({ run }) => run.driver.run(() => false, 20_000)));
    const wallMs = performance.now() - started;
    const peakRssMb = sampler.stop();
    const outcomes = runs.map(({ run }) => String((run.driver.output as { status?: string } | undefined)?.status));
    const longest = Math.max(
      ...runs.flatMap(({ run }) => run.driver.episodes.map((episode) => historyLength(episode.history))),
    );
    const watchedHours = Math.min(...runs.map(({ emulator, startedMs }) => emulator.clock.nowMs() - startedMs)) / 3.6e6;
    return {
      bench: 'follow-up-24h',
      followUps: count,
      succeeded: outcomes.filter((outcome) => outcome === 'succeeded').length,
      watchedHours: Math.round(watchedHours * 10) / 10,
      executions: Math.max(...runs.map(({ run }) => run.driver.episodes.at(-1)?.execution ?? 1)),
      activities: runs.reduce((sum, { run }) => sum + run.driver.calls.length, 0),
      longestHistoryEvents: longest,
      wallMs: Math.round(wallMs),
      peakRssMb,
    };
  } finally {
    await Promise.all([...emulators.map((emulator) => emulator.close()), server.stop()]);
  }
}

function historyLength(history: string): number {
  return (JSON.parse(history) as unknown[]).length;
}

export function describeFollowUp24h(result: Record<string, number | string>): string {
  return `follow-up at scale: ${result.followUps} follow-ups at once, each watching a ${result.watchedHours}-hour rebalance (${result.succeeded} succeeded), ${result.executions} executions each at most (continue-as-new), the longest history ${result.longestHistoryEvents} events; ${result.activities} activities in ${result.wallMs} ms, peak RSS ${result.peakRssMb} MB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await followUp24hBenchmark(process.argv[2] ? Number(process.argv[2]) : undefined);
  printResult(result, describeFollowUp24h(result));
}
