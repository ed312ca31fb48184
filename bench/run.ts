/** `npm run bench`: every benchmark in turn, each printing a summary and one JSON line. */
import { controlLoopBenchmark } from './control-loop.js';
import { printResult } from './report.js';
import { alertLatencyBenchmark, describeAlertLatency } from './alert-latency.js';
import { printSimulationBenchmark, simulationBenchmark } from './simulation.js';
import { describeFollowUp, followUpBenchmark } from './follow-up.js';
import { alertMatchingBenchmark, describeAlertMatching } from './alert-matching.js';
import { cliStartupBenchmark, describeCliStartup } from './cli-startup.js';

const result = await controlLoopBenchmark();
printResult(
  result,
  `control loop: one tick over ${result.targets} targets took ${result.tickMs} ms with ${result.monitorRequests} Monitor requests, ${result.armRequests} ARM requests (${result.patches} PATCH), peak RSS ${result.peakRssMb} MB (${result.latencyMs} ms injected latency)`,
);

printSimulationBenchmark(await simulationBenchmark());

const alerts = await alertLatencyBenchmark();
printResult(alerts, describeAlertLatency(alerts));

const matching = alertMatchingBenchmark();
printResult(matching, describeAlertMatching(matching));

const followUp = await followUpBenchmark();
printResult(followUp, describeFollowUp(followUp));

const cliStartup = await cliStartupBenchmark();
printResult(cliStartup, describeCliStartup(cliStartup));
