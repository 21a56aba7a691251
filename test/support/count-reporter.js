// A jest reporter that writes the run's totals to $TEST_RESULTS_FILE (used by .ci/run to print
// the plain `N passed, N failed` line CI reads). Prints nothing; does nothing when the variable is unset.
import { writeFileSync } from "node:fs";

export default class CountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.TEST_RESULTS_FILE;
    if (!file) return;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    writeFileSync(file, JSON.stringify({ passed: results.numPassedTests, failed, skipped: results.numPendingTests + results.numTodoTests }));
  }
}
