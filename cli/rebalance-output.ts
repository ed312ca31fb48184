/**
 * What `scaler rebalance` prints: the plan, a progress bar (redrawn in place on a terminal, one line per change
 * otherwise, so logs and CI stay readable), and the final summary. Pure text; the command decides where it goes.
 */
import type { RebalancePlan } from '../shared/citus/plan.js';
import type { PreflightVerdict } from '../shared/citus/preflight.js';
import { formatBytes } from '../shared/citus/preflight.js';
import type { RebalanceProgress } from '../shared/citus/progress.js';
import type { LocalRebalanceResult } from './local-rebalance.js';

const BAR_WIDTH = 30;
const LISTED_MOVES = 20;

export function planText(plan: RebalancePlan, verdict: PreflightVerdict): string {
  const lines = [
    `plan: ${plan.moves.length} shard-group move(s), ${formatBytes(plan.totalBytes)}${plan.tables.length > 0 ? ` (tables ${plan.tables.join(', ')})` : ''}`,
  ];
  for (const move of plan.moves.slice(0, LISTED_MOVES)) {
    const colocated = move.shardIds.length > 1 ? ` (+${move.shardIds.length - 1} colocated)` : '';
    lines.push(`  shard ${move.shardIds[0]}${colocated}  ${move.source} -> ${move.target}  ${formatBytes(move.bytes)}`);
  }
  if (plan.moves.length > LISTED_MOVES) lines.push(`  ... and ${plan.moves.length - LISTED_MOVES} more`);
  for (const [node, bytes] of Object.entries(plan.bytesInByNode))
    lines.push(`  ${node} receives ${formatBytes(bytes)}`);
  lines.push(`pre-flight: ${verdictText(verdict)}`);
  return lines.join('\n');
}

export function verdictText(verdict: PreflightVerdict): string {
  switch (verdict.kind) {
    case 'adopt':
      return `job ${verdict.jobId} is already ${verdict.state}; it would be followed, not started again`;
    case 'nothing-to-move':
      return verdict.message;
    case 'blocked':
      return `blocked:\n${verdict.problems.map((problem) => `  - ${problem}`).join('\n')}`;
    case 'ready': {
      const disk = verdict.disk.map((node) => `${node.node} ${node.freePercent.toFixed(1)} % free after`).join(', ');
      return ['ready', disk, ...verdict.notes].filter(Boolean).join('; ');
    }
  }
}

/** One line: bar, percent, moves, bytes, the time left at the measured rate, what runs now. */
export function progressLine(progress: RebalanceProgress & { etaSeconds?: number | undefined }): string {
  const filled = Math.round((progress.percent / 100) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const moves = `${progress.moves.done}/${progress.moves.total} moves`;
  const bytes =
    progress.bytes.total > 0 ? `  ${formatBytes(progress.bytes.moved)} / ${formatBytes(progress.bytes.total)}` : '';
  const running = progress.running
    .map((move) =>
      `${move.kind === 'move' ? `shard ${move.shardId}` : move.kind === 'reference-copy' ? 'reference tables' : `task ${move.taskId}`} ${move.phase ?? ''}`.trim(),
    )
    .join(', ');
  const eta = progress.etaSeconds === undefined ? '' : `  about ${duration(progress.etaSeconds)} left`;
  return `${bar} ${progress.percent.toFixed(1).padStart(5)} %  ${progress.state.padEnd(9)} ${moves}${bytes}${eta}${running ? `  running: ${running}` : ''}`;
}

export function summaryText(result: LocalRebalanceResult): string {
  switch (result.kind) {
    case 'plan':
      return planText(result.plan, result.verdict);
    case 'blocked':
      return `not started: ${result.problems.join('; ')}`;
    case 'nothing-to-move':
      return `nothing to move: ${result.message}`;
    case 'started':
      return `${result.adopted ? 'following' : 'started'} rebalance job ${result.jobId}; watch it with --watch, or SELECT * FROM citus_rebalance_status();`;
    case 'interrupted':
      return `stopped watching rebalance job ${result.jobId}; it keeps running in Citus (run again with --watch to follow it)${restoredText(result.restored)}${leftRaisedText(result.leftRaised)}`;
    case 'ended': {
      const { progress } = result;
      const head = `${progress.state}: job ${result.jobId}, ${progress.moves.done} of ${progress.moves.total} move(s), ${formatBytes(progress.bytes.moved)} in ${duration(result.durationSeconds)}`;
      const problems =
        result.messages.length > 0 ? `\n${result.messages.map((message) => `  - ${message}`).join('\n')}` : '';
      return `${head}${restoredText(result.restored)}${leftRaisedText(result.leftRaised)}${problems}`;
    }
  }
}

function restoredText(restored: ReadonlyArray<{ name: string; from: string }>): string {
  return restored.length > 0
    ? `; executor settings restored (${restored.map((change) => `${change.name} = ${change.from}`).join(', ')})`
    : '';
}

function leftRaisedText(left: { reason: string; statements: string[] } | undefined): string {
  return left
    ? `; executor settings NOT restored (${left.reason}); run:\n${left.statements.map((line) => `  ${line}`).join('\n')}`
    : '';
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}
