/**
 * `GET /api/dashboard`: the operators' page. It is static (no data in it): the script in it reads everything
 * through the operator API (`GET /api/targets`, `GET /api/operations/{id}`) and acts through it, with the same
 * function key and, when Entra ID is on, a token with the reader (or operator) role. No external assets; the one
 * script and style block are allowed by their hashes in a strict Content-Security-Policy, nothing inline else.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invocationLogger } from '../logging.js';
import { problemResponse } from '../../shared/http/problem.js';
import { ScalerError, describeError } from '../../shared/vocabulary/errors.js';

export interface DashboardPage {
  html: string;
  contentSecurityPolicy: string;
}

let page: Promise<DashboardPage> | undefined;

export function dashboardHandler(load: () => Promise<DashboardPage> = dashboardPage) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = invocationLogger(context);
    try {
      const { html, contentSecurityPolicy } = await load();
      log.log('info', `${request.method} /api/dashboard -> 200`, { status: 200 });
      return { status: 200, body: html, headers: pageHeaders(contentSecurityPolicy) };
    } catch (error) {
      page = undefined;
      const failure = new ScalerError(
        'configuration',
        `dashboard: its files could not be read (${describeError(error)}); redeploy the app with functions/dashboard included`,
        { cause: error },
      );
      const response = problemResponse(failure, { instance: '/api/dashboard', invocationId: context.invocationId });
      log.log('error', failure.message, { status: response.status, category: failure.category });
      return {
        status: response.status,
        jsonBody: response.body,
        ...(response.headers ? { headers: response.headers } : {}),
      };
    }
  };
}

function pageHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    // The page URL may carry the function key (?code=): never send it on.
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** The page, read once: the HTML shell with its script and styles inlined and hashed into the CSP. */
export function dashboardPage(): Promise<DashboardPage> {
  page ??= buildPage(join(packageRoot(), 'functions', 'dashboard'));
  return page;
}

export async function buildPage(directory: string): Promise<DashboardPage> {
  const [shell, script, styles] = await Promise.all(
    ['dashboard.html', 'dashboard.js', 'dashboard.css'].map((file) => readFile(join(directory, file), 'utf8')),
  );
  if (script === undefined || styles === undefined || shell === undefined)
    throw new Error('dashboard: a file is missing');
  if (script.includes('</script') || styles.includes('</style'))
    throw new Error('dashboard: the script or styles contain a closing tag');
  const html = shell
    .replace('<!-- styles -->', `<style>${styles}</style>`)
    .replace('<!-- script -->', `<script>${script}</script>`);
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src '${sha256(script)}'`,
    `style-src '${sha256(styles)}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** The folder holding package.json: `functions/http/` when run from source, `dist/functions/http/` when built. */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    directory = dirname(directory);
  }
  throw new Error('no package.json above functions/http');
}
