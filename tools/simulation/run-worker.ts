/** Worker-thread entry: runs the simulation runs it is sent, one at a time, and answers each with its result. */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../shared/vocabulary/errors.js';
import { runPolicy, type RunSpec } from './run.js';

const port = parentPort;
if (!port) throw new Error('run-worker.ts is a worker-thread entry; start it through runInWorkers');

port.on('message', (message: { index: number; spec: RunSpec }) => {
  runPolicy(message.spec).then(
    (result) => port.postMessage({ index: message.index, result }),
    (error: unknown) => port.postMessage({ index: message.index, error: describeError(error) }),
  );
});
