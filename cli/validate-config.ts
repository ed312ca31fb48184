import { validateConfigFile } from '../shared/config/load.js';
import { formatProblem } from '../shared/config/fields/problems.js';
import type { TargetConfig } from '../shared/config/schema/schema.js';
import { serviceMaximumsFrom } from '../shared/config/service-maximums.js';
import { kindDefinition } from '../shared/kinds/registry.js';

export const VALIDATE_USAGE = `Usage: scaler validate-config <file>
  Checks a config file (JSON) and lists every problem with its JSON path.
  SCALER_ELASTIC_CLUSTER_MAX_NODES in the environment raises the elastic-cluster node maximum, as in the app.
  Exit 0: valid (warnings may be listed); 1: problems found; 2: wrong usage.`;

/** `scaler validate-config <file>`: exit 0 with a summary, or 1 with every problem. */
export async function validateConfigCommand(args: string[]): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) {
    console.error(VALIDATE_USAGE);
    return 2;
  }
  // The environment's raising settings count as they do in the Function App (SCALER_ELASTIC_CLUSTER_MAX_NODES).
  const { maximums, problems } = serviceMaximumsFrom(process.env);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`error: ${problem}`);
    return 1;
  }
  const result = await validateConfigFile(file, { serviceMaximums: maximums });
  if (!result.ok) {
    console.error(`${file}: ${result.errors.length} error(s), ${result.warnings.length} warning(s)`);
    for (const problem of [...result.errors, ...result.warnings]) console.error(`  ${formatProblem(problem)}`);
    return 1;
  }
  const { targets } = result.config;
  console.log(`${file}: valid, ${targets.length} target(s)`);
  for (const target of targets) console.log(`  ${describeTarget(target)}`);
  for (const problem of result.warnings) console.log(`  ${formatProblem(problem)}`);
  return 0;
}

function describeTarget(target: TargetConfig): string {
  const { min, max, default: fallback } = target.limits;
  const flags = [
    target.dryRun ? 'dry-run' : '',
    target.paused.scaleOut ? 'scale-out paused' : '',
    target.paused.scaleIn ? 'scale-in paused' : '',
  ].filter(Boolean);
  const rules = `${target.mode === 'custom' ? `, ${target.rules.length} rule(s)` : ''}${target.profiles.length > 0 ? `, ${target.profiles.length} scheduled profile(s)` : ''}`;
  return `${target.name}: ${target.kind}, ${target.mode} mode${rules}, ${min}..${max} ${kindDefinition(target.kind).facts.unit} (default ${fallback})${flags.length ? `, ${flags.join(', ')}` : ''}`;
}
