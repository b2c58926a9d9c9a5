import pkg from '../../package.json' with { type: 'json' };

export const SUITE_NAME = 'aws-ship-suite';
export const SUITE_VERSION: string = pkg.version;

/** The version of every action's `result` JSON; bumped when a field changes meaning. */
export const RESULT_VERSION = 1;
