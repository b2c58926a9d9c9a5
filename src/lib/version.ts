import pkg from '../../package.json' with { type: 'json' };

export const SUITE_NAME = 'aws-ship-suite';
export const SUITE_VERSION: string = pkg.version;
