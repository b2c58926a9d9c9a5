// Prints the plain closing line CI reads ("jest: N passed, N failed, N skipped"), because jest's
// own summary is not a format CI recognises. With JEST_CLOSING_LINE_FILE set it also writes the
// line there, so .ci/run can print it last, after jest's summary.
import { writeFileSync } from 'node:fs';

export default class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.JEST_CLOSING_LINE_FILE)
      writeFileSync(process.env.JEST_CLOSING_LINE_FILE, `${line}\n`);
  }
}
