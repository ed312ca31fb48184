import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one closing line a machine can read ("tests: N passed, N failed, N skipped") and fails the run
 * when any test was skipped or left as todo: a skipped test guards nothing.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    if (counts.skipped > 0) {
      console.error(`${counts.skipped} test(s) were skipped or todo: remove the skip or the test.`);
      process.exitCode = 1;
    }
    console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
