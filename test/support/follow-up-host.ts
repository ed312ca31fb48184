/**
 * What the follow-up tests share: the functions the app registers (captured from the real `registerFunctions`),
 * a replay clock that moves the Azure emulator and the Citus stand-in together (and lets the stand-in's cluster
 * grow when ARM's resize completes, as the service adds the nodes), and the target config pointing the follow-up's
 * SQL at the stand-in with a password.
 */
import type { TimerHandler } from '@azure/functions';
import type { Services } from '../../functions/composition-root.js';
import { registerFunctions, type FunctionHost } from '../../functions/register.js';
import type { DurableHost } from '../../functions/orchestration/register.js';
import { FOLLOW_UP_ORCHESTRATION } from '../../functions/orchestration/names.js';
import type { AzureEmulator } from '../../tools/emulator/index.js';
import type { StandinDb } from '../../tools/citus-standin/testing.js';
import type { ActivityFunction, HostFunctions, ReplayClock } from './durable-replay.js';

export interface RegisteredApp extends HostFunctions {
  timers: Record<string, TimerHandler>;
  /** The extra inputs each timer was registered with. */
  timerInputs: Record<string, unknown[]>;
}

export function registeredApp(services: Services): RegisteredApp {
  const timers: Record<string, TimerHandler> = {};
  const timerInputs: Record<string, unknown[]> = {};
  const orchestrations: Record<string, unknown> = {};
  const activities: Record<string, ActivityFunction> = {};
  const host = {
    timer: (name: string, options: { handler: TimerHandler; extraInputs?: unknown[] }) => {
      timers[name] = options.handler;
      timerInputs[name] = options.extraInputs ?? [];
    },
    http: () => undefined,
  } as unknown as FunctionHost;
  const durable = {
    orchestration: (name: string, handler: unknown) => {
      orchestrations[name] = handler;
    },
    activity: (name: string, options: { handler: ActivityFunction }) => {
      activities[name] = options.handler;
    },
  } as unknown as DurableHost;
  registerFunctions(host, () => Promise.resolve(services), durable);
  return { timers, timerInputs, orchestration: orchestrations[FOLLOW_UP_ORCHESTRATION], activities };
}

/** Moves both clocks; once ARM reports more nodes than pg_dist_node holds, the new workers join the stand-in. */
export class ClusterClock implements ReplayClock {
  /** Without a stand-in (an ADX follow-up) only the emulator's clock moves. */
  constructor(
    private readonly emulator: AzureEmulator,
    private readonly db?: StandinDb,
    private readonly resourceId?: string,
  ) {}

  now(): Date {
    return this.emulator.clock.now();
  }

  async advanceTo(time: Date): Promise<void> {
    const ms = time.getTime() - this.emulator.clock.nowMs();
    if (ms <= 0) return;
    this.emulator.clock.advance(ms);
    if (!this.db) return;
    await this.db.query('SELECT citus_standin.advance($1)', [ms / 1000]);
    await this.syncNodes();
  }

  async syncNodes(): Promise<void> {
    if (!this.db || !this.resourceId) return;
    const size = this.emulator.postgres.getCluster(this.resourceId).properties.cluster?.clusterSize ?? 0;
    const [row] = await this.db.query<{ nodes: number }>('SELECT count(*)::int AS nodes FROM pg_dist_node');
    const missing = size - (row?.nodes ?? size);
    if (missing > 0) await this.db.query('SELECT citus_standin.add_nodes($1)', [missing]);
  }
}

/** A target's `database` block for the stand-in at `connectionString` (password login through an app setting). */
export function standinDatabase(
  connectionString: string,
  passwordSetting = 'STANDIN_PASSWORD',
): { database: Record<string, unknown>; env: Record<string, string> } {
  const url = new URL(connectionString);
  return {
    database: {
      host: url.hostname,
      port: Number(url.port),
      name: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
      passwordSetting,
      ssl: 'disable',
    },
    env: { [passwordSetting]: decodeURIComponent(url.password) },
  };
}
