/**
 * After ARM: the new nodes in pg_dist_node, and the coordinator's connection limits for the new node count.
 */
import type {
  InspectNodesInput,
  InspectNodesResult,
  ReconcileConnectionsInput,
  ReconcileConnectionsResult,
} from '../activity-contract.js';
import type { StepContext } from './dependencies.js';
import { assessNodes } from '../../citus/nodes.js';
import { planConnectionLimits, type ParameterChange } from '../../citus/connection-limits.js';
import { CONNECTION_SETTINGS, MAX_CONNECTIONS } from '../../citus/names.js';
import { addAlert } from '../progress.js';

export async function inspectNodes(context: StepContext, input: InspectNodesInput): Promise<InspectNodesResult> {
  const target = context.citusTarget(input.target);
  const sql = await context.deps.cluster.sql(target);
  try {
    const verdict = assessNodes(await sql.nodes(), { from: input.from, to: input.to });
    await context.record(target, input.operationId, 'verify-nodes', (document) => {
      document.nodes =
        verdict.kind === 'ready'
          ? { activeNodes: verdict.activeNodes, newNodes: verdict.newNodes.map((node) => `${node.host}:${node.port}`) }
          : { waiting: verdict.message };
    });
    if (verdict.kind !== 'ready') return verdict;
    return {
      kind: 'ready',
      activeNodes: verdict.activeNodes,
      newNodes: verdict.newNodes.map((node) => `${node.host}:${node.port}`),
    };
  } finally {
    await sql.close();
  }
}

export async function reconcileConnections(
  context: StepContext,
  input: ReconcileConnectionsInput,
): Promise<ReconcileConnectionsResult> {
  const target = context.citusTarget(input.target);
  const log = context.log(target, input.operationId);
  const parameters = context.deps.cluster.parameters(target);
  const [current, lastApplied] = await Promise.all([
    parameters.getMany([MAX_CONNECTIONS, ...CONNECTION_SETTINGS]),
    context.progress.readManagedLimits(target.name),
  ]);
  const plan = planConnectionLimits({
    policy: input.policy,
    nodeCount: input.nodeCount,
    parameters: current,
    lastApplied,
  });
  const applied: ParameterChange[] = [];
  const pendingRestart: string[] = [];
  for (const change of plan.changes) {
    const after = await parameters.set(change.name, change.to);
    applied.push(change);
    if (after.isConfigPendingRestart) pendingRestart.push(change.name);
    log.log(
      'info',
      `set ${change.name} from ${change.from} to ${change.to} (connections.policy ${plan.policy}, ${input.nodeCount} nodes)`,
      { event: 'ConnectionLimitChanged' },
    );
  }
  if (applied.length > 0)
    await context.progress.writeManagedLimits(
      target.name,
      { ...lastApplied, ...Object.fromEntries(applied.map((change) => [change.name, change.to])) },
      context.deps.clock(),
    );
  for (const kept of plan.kept)
    log.log('warn', `not changing ${kept.name} (${kept.value}, wanted ${kept.wanted}): ${kept.reason}`, {
      event: 'ConnectionLimitKept',
    });
  for (const drift of plan.drift)
    log.log(
      'info',
      `${drift.name} is ${drift.value} (${drift.source}); Azure's default for ${input.nodeCount} nodes is ${drift.serviceDefault}`,
      { event: 'ConnectionLimitDrift' },
    );
  await context.record(target, input.operationId, 'connections', (document) => {
    document.connections = { ...plan, applied, pendingRestart };
    for (const kept of plan.kept)
      addAlert(document, { at: context.deps.clock().toISOString(), code: 'ConnectionLimitKept', message: kept.reason });
  });
  const message = summarize(plan.policy, applied, plan.kept.length, plan.drift.length, pendingRestart);
  return { changed: applied.length, kept: plan.kept.length, message };
}

function summarize(
  policy: string,
  applied: readonly ParameterChange[],
  kept: number,
  drift: number,
  pendingRestart: readonly string[],
): string {
  const parts = [
    applied.length > 0
      ? `changed ${applied.map((change) => `${change.name} ${change.from} -> ${change.to}`).join(', ')}`
      : 'changed nothing',
    kept > 0 ? `kept ${kept} value(s) set by hand` : '',
    drift > 0 ? `${drift} value(s) differ from Azure's default` : '',
    pendingRestart.length > 0 ? `${pendingRestart.join(', ')} need(s) a restart to apply` : '',
  ].filter(Boolean);
  return `connections.policy ${policy}: ${parts.join('; ')}`;
}
