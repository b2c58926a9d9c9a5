// Prints the plain closing line CI reads ("jest: N passed, N failed, N skipped"),
// because jest's own summary is not one of the formats CI recognises.
export default class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
