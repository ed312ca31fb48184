/**
 * Runs simulation runs on worker threads, heaviest first (the real scaler's runs cost the most), each worker
 * taking the next run as soon as it is free. A worker started from TypeScript sources registers tsx itself,
 * since a worker's entry module does not go through the parent's loader.
 */
import { Worker } from 'node:worker_threads';
import type { RunResult, RunSpec } from './run.js';

interface WorkerReply {
  index: number;
  result?: RunResult;
  error?: string;
}

const YOUNG_GENERATION_MB = 192;
const RUN_WEIGHT: Record<string, number> = { 'elastic-scaler': 10, oracle: 2 };

export async function runInWorkers(specs: readonly RunSpec[], workers: number): Promise<RunResult[]> {
  const results = new Array<RunResult>(specs.length);
  const queue = specs.map((_, index) => index).sort((a, b) => weight(specs[b]) - weight(specs[a]) || a - b);
  const work = () =>
    new Promise<void>((resolve, reject) => {
      const worker = startWorker();
      const next = () => {
        const index = queue.shift();
        if (index === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage({ index, spec: specs[index] });
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.error !== undefined || !reply.result) {
          void worker.terminate();
          reject(
            new Error(
              `simulation run ${specs[reply.index]?.policy} on ${specs[reply.index]?.trace.name} failed in a worker: ${reply.error ?? 'no result'}`,
            ),
          );
          return;
        }
        results[reply.index] = reply.result;
        next();
      });
      worker.on('error', reject);
      next();
    });
  await Promise.all(Array.from({ length: workers }, work));
  return results;
}

function weight(spec: RunSpec | undefined): number {
  return spec ? (RUN_WEIGHT[spec.policy] ?? 1) : 0;
}

function startWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './run-worker.ts' : './run-worker.js', import.meta.url).href;
  const code = fromSources
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  // A larger young generation: a run allocates many short-lived decision objects, and fewer scavenges make it
  // about a fifth faster.
  return new Worker(code, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}
