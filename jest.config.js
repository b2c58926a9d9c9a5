// With QUALITY_REPORTS=<dir> (set by .ci/run), the run also writes the reports the suite's own
// quality gate reads: JUnit from jest-junit and line coverage of src/ as lcov.
const reportsDir = process.env.QUALITY_REPORTS;

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2023',
          experimental: { keepImportAttributes: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/infra/test/**/*.test.ts'],
  reporters: [
    'default',
    '<rootDir>/test/closing-line-reporter.js',
    ...(reportsDir
      ? [
          [
            'jest-junit',
            { outputDirectory: reportsDir, outputName: 'junit.xml', addFileAttribute: 'true' },
          ],
        ]
      : []),
  ],
  ...(reportsDir
    ? {
        collectCoverage: true,
        coverageProvider: 'v8',
        collectCoverageFrom: ['<rootDir>/src/**/*.ts'],
        coverageReporters: ['lcovonly'],
        coverageDirectory: `${reportsDir}/coverage`,
      }
    : {}),
  testTimeout: 60000,
  // One worker per core of the 2-core machines the suite runs on (CI included); --maxWorkers overrides.
  maxWorkers: 2,
};
