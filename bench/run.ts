/** `npm run bench`: every benchmark in turn, each printing a summary and one JSON line. */
import { CONTROL_LOOP_SIZES, compiledControlLoopBenchmark, describeControlLoop } from './control-loop.js';
import { printResult } from './report.js';
import { alertLatencyBenchmark, describeAlertLatency } from './alert-latency.js';
import { printSimulationBenchmark, simulationBenchmark } from './simulation.js';
import { describeFollowUp, describeFollowUp24h, followUp24hBenchmark, followUpBenchmark } from './follow-up.js';
import { alertMatchingBenchmark, describeAlertMatching } from './alert-matching.js';
import { cliStartupBenchmark, describeCliStartup } from './cli-startup.js';

for (const size of CONTROL_LOOP_SIZES) {
  const result = await compiledControlLoopBenchmark(size);
  printResult(result, describeControlLoop(result));
}

printSimulationBenchmark(await simulationBenchmark());

const alerts = await alertLatencyBenchmark();
printResult(alerts, describeAlertLatency(alerts));

const matching = alertMatchingBenchmark();
printResult(matching, describeAlertMatching(matching));

const followUp = await followUpBenchmark();
printResult(followUp, describeFollowUp(followUp));

const followUps = await followUp24hBenchmark();
printResult(followUps, describeFollowUp24h(followUps));

const cliStartup = await cliStartupBenchmark();
printResult(cliStartup, describeCliStartup(cliStartup));
