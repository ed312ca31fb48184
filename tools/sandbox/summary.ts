/** What a sandbox run did, counted from the state it wrote (operations and the decision ledger) and its follow-ups. */
import type { Sandbox } from './environment.js';

export interface TargetCounts {
  scaleOuts: number;
  scaleIns: number;
  decisions: number;
}

export interface SmokeSummary {
  counts: { scaleOuts: number; scaleIns: number; rebalancesFinished: number; decisions: number };
  byTarget: { postgres: TargetCounts; kusto: TargetCounts };
}

/** More than a smoke run records for one target. */
const READ_LIMIT = 1000;

export async function smokeSummary(sandbox: Sandbox): Promise<SmokeSummary> {
  const [postgres, kusto] = await Promise.all([
    countsFor(sandbox, sandbox.targets.postgres.name),
    countsFor(sandbox, sandbox.targets.kusto.name),
  ]);
  const rebalancesFinished = sandbox.followUps.finished.filter(
    ({ result, state }) => result.status === 'succeeded' && state.rebalance?.state === 'finished',
  ).length;
  return {
    counts: {
      scaleOuts: postgres.scaleOuts + kusto.scaleOuts,
      scaleIns: postgres.scaleIns + kusto.scaleIns,
      rebalancesFinished,
      decisions: postgres.decisions + kusto.decisions,
    },
    byTarget: { postgres, kusto },
  };
}

async function countsFor(sandbox: Sandbox, target: string): Promise<TargetCounts> {
  const { state } = sandbox.services;
  const [operations, decisions] = await Promise.all([
    state.listOperations(target, READ_LIMIT),
    state.listDecisions(target, READ_LIMIT),
  ]);
  const started = operations.filter((operation) => operation.status !== 'failed');
  return {
    scaleOuts: started.filter((operation) => operation.direction === 'out').length,
    scaleIns: started.filter((operation) => operation.direction === 'in').length,
    decisions: decisions.length,
  };
}
