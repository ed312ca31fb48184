/** What a live sandbox prints: where everything runs, then the app's log lines stamped with the simulated time. */
import type { Sandbox } from './environment.js';
import type { InvocationLogHandler } from './local-host.js';

/** Request lines of the dashboard's polling would drown everything else. */
const QUIET_MESSAGE = /^(GET|HEAD) \/api\//;

export function consoleLogHandler(functionName: string, now: () => Date): InvocationLogHandler {
  return (level, ...args) => {
    if (level === 'debug' || level === 'trace') return;
    const message = String(args[0]);
    if (level === 'information' && QUIET_MESSAGE.test(message)) return;
    const stamp = now().toISOString().slice(5, 16).replace('T', ' ');
    const fields = args[1] as { target?: unknown } | undefined;
    const target = typeof fields?.target === 'string' ? ` ${fields.target}` : '';
    const line = `[${stamp} simulated] ${functionName}${target}: ${message}`;
    if (level === 'error') console.error(line);
    else console.log(line);
  };
}

export function printBanner(
  sandbox: Sandbox,
  options: { speed: number; schedule: string; citusUrl: string | undefined },
): void {
  const api = `${sandbox.baseUrl}/api`;
  const key = sandbox.functionKey;
  const database = options.citusUrl
    ? `${redact(options.citusUrl)} (your Citus coordinator)`
    : `${redact(sandbox.targets.databaseUrl)} (PostgreSQL with the Citus stand-in)`;
  const lines = [
    '',
    `elastic-scaler sandbox: ${options.speed}x, one simulated hour every ${formatSeconds(3600 / options.speed)}`,
    '',
    `  Dashboard        ${api}/dashboard?code=${key}`,
    `  Function key     ${key}`,
    `  Operator API     ${api}/targets  (send the key as x-functions-key or ?code=)`,
    `  Alert webhook    POST ${api}/alerts`,
    `  Timer            evaluateTargets on '${options.schedule}' (simulated time)`,
    `  ARM and Monitor  ${sandbox.emulator.endpoint} (HTTPS emulator)`,
    `  Table Storage    ${sandbox.azurite.tableEndpoint} (Azurite)`,
    `  Citus            ${database}`,
    `  Targets          ${sandbox.targets.postgres.name} (elastic cluster, 2 nodes), ${sandbox.targets.kusto.name} (ADX, 2 instances)`,
    '',
    `  Try: curl -s -H 'x-functions-key: ${key}' ${api}/targets`,
    '',
    'Follow-ups run in this process (the sandbox does not run the Durable Functions runtime). Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function formatSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.round(seconds / 6) / 10} min` : `${Math.round(seconds * 10) / 10} s`;
}
