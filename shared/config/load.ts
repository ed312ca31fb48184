/**
 * Loads the config from an app setting that holds either the JSON document itself or the path of a file.
 * Nothing here runs at import time; the composition root calls it and decides whether to stop.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ScalerError } from '../vocabulary/errors.js';
import { validateConfig, type ConfigResult, type ValidationOptions } from './validate.js';
import { serviceMaximumsFrom } from './service-maximums.js';
import { type ConfigProblem, formatPath, formatProblem } from './fields/problems.js';
import { readStrictJson } from '../strict-json.js';
import type { ScalerConfig } from './schema/schema.js';

export const CONFIG_SETTING = 'SCALER_CONFIG';

export class ConfigError extends ScalerError {
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(
      'configuration',
      `${source}: ${errors.length} problem(s) in the config:\n${errors.map(formatProblem).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Reads and validates a config file. JSON syntax errors become problems too, with line and column. */
export async function validateConfigFile(path: string, options: ValidationOptions = {}): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return failure(`cannot read ${path}: ${readFailure(error)}`);
  }
  if (text.trim() === '')
    return failure(`${path} is empty; write the config in it (scaler init writes a starter config to edit)`);
  return validateConfigText(text, options);
}

/** Why a file could not be read, in words rather than an errno code. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file; check the path (scaler init writes a starter config)';
  if (code === 'EISDIR') return 'it is a folder, not a file; name the config file itself';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied; make the file readable by this user';
  return `${error instanceof Error ? error.message : String(error)}; check the path`;
}

export function validateConfigText(text: string, options: ValidationOptions = {}): ConfigResult {
  const reading = readStrictJson(text.replace(/^\uFEFF/, ''));
  if (reading.ok) return validateConfig(reading.value, options);
  const { problem } = reading;
  const at = lineAndColumn(text, problem.offset);
  switch (problem.kind) {
    case 'syntax':
      return failure(`not valid JSON: ${problem.why} at ${at}; fix the syntax first`);
    case 'too-deep':
      return failure(
        `${problem.why} (${at}); no config field nests that deep, remove the extra nesting`,
        formatPath(problem.path),
      );
    case 'duplicate-key':
      return failure(
        `${problem.why} (${at}), so only one of its values would count; keep one`,
        formatPath(problem.path),
      );
  }
}

/** The composition root's entry: app setting -> validated config, or a ConfigError listing every problem. */
export async function loadConfigFromSetting(
  env: Record<string, string | undefined>,
): Promise<{ config: ScalerConfig; warnings: ConfigProblem[] }> {
  const setting = env[CONFIG_SETTING]?.trim();
  if (!setting) {
    throw new ScalerError(
      'configuration',
      `${CONFIG_SETTING} is not set: set it to the config JSON or to the path of a config file`,
    );
  }
  const inline = setting.startsWith('{');
  const source = inline ? `${CONFIG_SETTING} (inline JSON)` : `${CONFIG_SETTING} (file ${setting})`;
  const { maximums, problems } = serviceMaximumsFrom(env);
  if (problems.length > 0)
    throw new ScalerError('configuration', `app settings: ${problems.length} problem(s):\n${problems.join('\n')}`);
  const options = { serviceMaximums: maximums };
  const result = inline ? validateConfigText(setting, options) : await validateConfigFile(resolve(setting), options);
  if (!result.ok) throw new ConfigError(source, [...result.errors, ...result.warnings]);
  return { config: result.config, warnings: result.warnings };
}

function failure(message: string, path = '(root)'): ConfigResult {
  return { ok: false, errors: [{ severity: 'error', path, message }], warnings: [] };
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
