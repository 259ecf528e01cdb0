/**
 * Prints one plain closing line, `tests: N passed, M failed`, after Vitest's
 * own report, so a CI log reader that knows no Vitest still sees the counts.
 *
 * A file whose setup failed (a `beforeAll` that threw, a missing browser)
 * leaves its tests skipped, not failed: those count as failed here, and a file
 * that failed otherwise (in an `afterAll`, or before any test was collected)
 * counts as one failure, so the line never reads "0 failed" for a run Vitest
 * itself failed.
 */
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      // Errors outside tests (a hook that threw, a file that failed to load) leave the tests skipped.
      const broken = module.errors().length > 0;
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || broken) failedHere++;
        else skipped++;
      }
      failed += broken && failedHere === 0 ? 1 : failedHere;
    }
    failed += unhandledErrors.length;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
