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
